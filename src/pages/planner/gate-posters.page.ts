/**
 * Check-in posters (签到码): one A4 page per gate of a village (or one gate), with the gate's
 * name, a large QR code of its `/gate/<secret>` link and how to use it, to print and put up
 * at the gate. Planners only (the console's session check runs before these routes).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { PageDeps } from '../../http/page-port.js';
import { AppError } from '../../errors.js';
import { pageContext, sendPage } from '../render.js';
import { gateQr } from '../gate/gate-qr.js';
import { sessionOf } from './request-session.js';
import { compareNames } from '../../domain/keys.js';

const posterQuery = z.object({
  village: z.string().min(1).max(100),
  gateId: z
    .string()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
});

export function gatePosterRoutes(deps: PageDeps): Router {
  const router = Router();
  router.get('/gate-posters', async (req, res) => {
    const ctx = pageContext(req);
    const query = posterQuery.parse(req.query);
    const gates = (
      await deps.models.Gate.find({ village: query.village }, { _id: 0, id: 1, name: 1, village: 1, town: 1 }).lean<
        { id: string; name: string; village: string; town: string }[]
      >()
    )
      .filter((g) => !query.gateId || g.id === query.gateId)
      .sort((a, b) => compareNames(a.name, b.name));
    if (!gates.length) throw new AppError('not_found', `no gate of "${query.village}"${query.gateId ? ` with id "${query.gateId}"` : ''}`);
    const now = deps.ground.now();
    const posters = [];
    for (const gate of gates) posters.push({ ...gate, ...(await gateQr(deps.models, deps.config, req, gate.id, now)) });
    sendPage(res, ctx, 'planner-gate-posters', {
      title: `${query.village} · ${ctx.t('posterTitle')}`,
      csrf: sessionOf(req).csrf,
      script: 'planner.js',
      posters,
    });
  });
  return router;
}
