/**
 * `/me?token=<feed secret>`: a person's own shifts, the subscribe link and its QR code. The
 * feed secret is the only key (as for `/feeds/<secret>.ics`); a village feed secret or an
 * unknown one shows nothing.
 */
import { Router, type Request } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { instantSchema } from '../../http/schemas.js';
import type { Config } from '../../config.js';
import type { Models } from '../../db/models.js';
import { webcalUrl } from '../../feeds/index.js';
import { feedSubject } from '../../roster/feed-store.js';
import { pageContext, sendPage } from '../render.js';
import { personShifts } from './person-shifts.js';

const FEED_SECRET = /^[A-Za-z0-9_-]{20,200}$/;
const querySchema = z.object({
  token: z.string().optional(),
  at: instantSchema.optional().catch(undefined),
});

export function personRoutes(models: Models, config: Config): Router {
  const router = Router();
  router.get('/me', async (req, res) => {
    const ctx = pageContext(req);
    const query = querySchema.parse(req.query);
    const token = query.token && FEED_SECRET.test(query.token) ? query.token : null;
    const subject = token ? await feedSubject(models, token) : null;
    if (!token || !subject || subject.kind !== 'cadre') {
      return sendPage(res, ctx, 'message', { title: ctx.t('personTitle'), message: ctx.t('personNoToken') }, 404);
    }
    const { name, shifts } = await personShifts(models, subject.subject);
    const now = (query.at ?? new Date()).getTime();
    const upcoming = shifts.filter((s) => s.endMs > now);
    const past = shifts.filter((s) => s.endMs <= now).reverse();
    const feedUrl = `${baseUrl(config, req)}/feeds/${token}.ics`;
    sendPage(res, ctx, 'person', {
      title: name ?? ctx.t('personTitle'),
      name,
      upcoming,
      // With nothing ahead, show the latest published shifts so the page is never a blank.
      latest: upcoming.length === 0 ? past.slice(0, 10) : [],
      past: upcoming.length === 0 ? past.slice(10) : past,
      feedUrl,
      webcal: webcalUrl(feedUrl),
      qr: await QRCode.toDataURL(feedUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 }),
    });
  });
  return router;
}

function baseUrl(config: Config, req: Request): string {
  return config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`;
}
