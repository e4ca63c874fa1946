/**
 * `/gate/<gate secret>`: the page a gate's QR code opens, on the phone of whoever stands duty.
 * The secret alone shows the gate's name and how to be recognised; with the person cookie
 * (set by their own `/me` page, ./person-cookie.ts) it shows their shift here and one button:
 * check in, or check out. The buttons POST and redirect back (PRG), so a reload repeats
 * nothing, and the check-in itself is idempotent (src/ground/checkins.ts).
 */
import { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { AppError } from '../../errors.js';
import { checkIn, checkInOf, checkOut, placeOf, slotAt } from '../../ground/checkins.js';
import { gateOfSecret } from '../../ground/gate-keys.js';
import type { GroundSettings } from '../../ground/grounded-roster.js';
import { GATE_PREFIX } from '../../http/secret-urls.js';
import { feedSubject } from '../../roster/feed-store.js';
import { sameOrigin } from '../same-origin.js';
import { pageContext, sendPage, type PageContext } from '../render.js';
import { localTime, shiftLabel } from '../time-labels.js';
import { rememberedPerson } from './person-cookie.js';

const GATE_SECRET = /^[A-Za-z0-9_-]{20,200}$/;
const pageQuery = z.object({ done: z.enum(['in', 'out']).optional().catch(undefined) });

interface GatePlace {
  secret: string;
  gateId: string;
  name: string;
  village: string;
}

export function gateRoutes(models: Models, ground: GroundSettings): Router {
  const router = Router();

  /** The gate behind the secret in the path; a 404 page (counted as a failed lookup) otherwise. */
  async function gateOf(req: Request): Promise<GatePlace | null> {
    const secret = String(req.params.secret ?? '');
    const gateId = GATE_SECRET.test(secret) ? await gateOfSecret(models, secret) : null;
    const gate = gateId ? await models.Gate.findOne({ _id: gateId }, { name: 1, village: 1 }).lean<{ name: string; village: string }>() : null;
    return gateId && gate ? { secret, gateId, name: gate.name, village: gate.village } : null;
  }

  /** The person this phone belongs to (their own link's cookie), or null. */
  async function personOf(req: Request): Promise<{ id: string; name: string } | null> {
    const secret = rememberedPerson(req);
    const subject = secret ? await feedSubject(models, secret) : null;
    if (!subject || subject.kind !== 'cadre') return null;
    const cadre = await models.Cadre.findOne({ _id: subject.subject }, { name: 1 }).lean<{ name: string }>();
    return cadre ? { id: subject.subject, name: cadre.name } : null;
  }

  const unknownGate = (res: Parameters<typeof sendPage>[0], ctx: PageContext) =>
    sendPage(res, ctx, 'message', { title: ctx.t('gateTitle'), message: ctx.t('gateUnknown') }, 404);

  router.get(`${GATE_PREFIX}/:secret`, async (req, res) => {
    const ctx = pageContext(req);
    const gate = await gateOf(req);
    if (!gate) return unknownGate(res, ctx);
    const person = await personOf(req);
    const base = {
      title: `${gate.name} · ${ctx.t('gateTitle')}`,
      gate,
      person,
      done: pageQuery.parse(req.query).done,
      action: (what: string) => ctx.href(`${GATE_PREFIX}/${encodeURIComponent(gate.secret)}/${what}`),
    };
    if (!person) return sendPage(res, ctx, 'gate', { ...base, slot: null });
    const now = ground.now();
    const slot = await slotAt(models, gate.gateId, person.id, now);
    if (!slot) return sendPage(res, ctx, 'gate', { ...base, slot: null });
    const [mine, { timezone }] = await Promise.all([checkInOf(models, slot, person.id), placeOf(models, slot)]);
    sendPage(res, ctx, 'gate', {
      ...base,
      slot: { ...shiftLabel(slot.start, slot.end, timezone), rostered: slot.rostered },
      state: !mine ? 'out' : mine.checkedOutAt ? 'left' : 'in',
      checkedInAt: mine ? localTime(mine.checkedInAt, timezone).slice(11) : '',
      checkedOutAt: mine?.checkedOutAt ? localTime(mine.checkedOutAt, timezone).slice(11) : '',
    });
  });

  for (const what of ['check-in', 'check-out'] as const) {
    router.post(`${GATE_PREFIX}/:secret/${what}`, async (req, res) => {
      const ctx = pageContext(req);
      // The cookie is SameSite=Lax; this is the second, browser-independent layer.
      if (!sameOrigin(req)) throw new AppError('forbidden', 'check in from this gate’s own page');
      const gate = await gateOf(req);
      if (!gate) return unknownGate(res, ctx);
      const person = await personOf(req);
      if (!person) return sendPage(res, ctx, 'message', { title: gate.name, message: ctx.t('gateNeedPerson') }, 401);
      const at = ground.now();
      if (what === 'check-in') await checkIn(models, { cadreId: person.id, gateId: gate.gateId, at, via: 'gate' });
      else await checkOut(models, { cadreId: person.id, gateId: gate.gateId, at });
      res.redirect(303, ctx.href(`${GATE_PREFIX}/${encodeURIComponent(gate.secret)}?done=${what === 'check-in' ? 'in' : 'out'}`));
    });
  }
  // A path that is not valid percent-encoding fails in Express's parameter decoding (status
  // 400, not an AppError): answer it as the bad request it is, as a page.
  const badEncoding: ErrorRequestHandler = (err, _req, _res, next) => {
    next(
      !(err instanceof AppError) && (err as { status?: number }).status === 400 ? new AppError('bad_request', 'the link is not valid percent-encoding') : err,
    );
  };
  router.use(badEncoding);
  return router;
}
