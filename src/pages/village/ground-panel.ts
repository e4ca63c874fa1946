/**
 * What the village page shows of the ground: who checked in and who did not (未到岗) at each
 * gate now, walk-ins, and the problems inspections found that are still open, each with a
 * form for the head to mark it fixed. The same use-cases as the API (src/ground/).
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { verifyToken, type Principal } from '../../auth/tokens.js';
import type { Models } from '../../db/models.js';
import type { GroundSettings } from '../../ground/grounded-roster.js';
import { PROBLEM_LABELS, fixProblem, listInspections } from '../../ground/inspections.js';
import type { GateShiftPresence } from '../../ground/presence.js';
import { plainText } from '../../http/schemas.js';
import { gateShiftKey } from '../../domain/keys.js';
import { pageContext, sendPage } from '../render.js';
import { localTime } from '../time-labels.js';
import type { PresenceLookup } from './now-model.js';

/** Presence by the names the page shows; `onDutyIds` maps `gate|startMs|name` to the person. */
export async function presenceLookup(
  models: Models,
  presence: ReadonlyMap<string, GateShiftPresence> | undefined,
  onDutyIds: ReadonlyMap<string, string>,
): Promise<PresenceLookup | undefined> {
  if (!presence) return undefined;
  const walkInIds = [...new Set([...presence.values()].flatMap((p) => p.walkIns.map((w) => w.cadreId)))];
  const names = new Map(
    walkInIds.length
      ? (await models.Cadre.find({ _id: { $in: walkInIds } }, { _id: 1, name: 1 }).lean<{ _id: string; name: string }[]>()).map((c) => [c._id, c.name])
      : [],
  );
  const at = (gateId: string, startMs: number) => presence.get(gateShiftKey(gateId, new Date(startMs)));
  return {
    stateOf: (gateId, startMs, name) => {
      const cadreId = onDutyIds.get(`${gateId}|${startMs}|${name}`);
      return at(gateId, startMs)?.rostered.find((r) => r.cadreId === cadreId)?.state ?? null;
    },
    walkInsOf: (gateId, startMs) => (at(gateId, startMs)?.walkIns ?? []).map((w) => names.get(w.cadreId) ?? w.cadreId),
  };
}

export interface OpenProblemItem {
  inspectionId: string;
  index: number;
  gateName: string;
  village: string;
  category: string;
  text: string;
  atLocal: string;
  staffSeen: number;
  staffRostered: number | null;
}

/** Open problems at the head's villages, latest inspection first. */
export async function openProblems(models: Models, principal: Principal, timeZone: string, lang: 'zh' | 'en' = 'zh'): Promise<OpenProblemItem[]> {
  const inspections = await listInspections(models, principal, { open: true });
  return inspections.flatMap((i) =>
    i.problems
      .filter((p) => p.open)
      .map((p) => ({
        inspectionId: i.id,
        index: p.index,
        gateName: i.gateName,
        village: i.village,
        category: PROBLEM_LABELS[p.category][lang],
        text: p.text,
        atLocal: localTime(i.at, timeZone),
        staffSeen: i.staffSeen,
        staffRostered: i.staffRostered,
      })),
  );
}

const fixForm = z.object({
  token: z.string().min(1).max(300),
  plan: z.string().max(100).optional(),
  inspection: z.string().min(1).max(100),
  index: z.coerce.number().int().min(0).max(19),
  note: plainText(500).trim().min(1),
});

/**
 * A head marks a problem fixed. As for the absence form, the token in the form is the
 * credential (and, being secret, what stops another site posting it); answered by a redirect.
 */
export function problemFixRoute(models: Models, ground: GroundSettings): RequestHandler {
  return async (req, res) => {
    const ctx = pageContext(req);
    const form = fixForm.parse(req.body);
    const principal = await verifyToken(models, form.token);
    if (!principal) return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageNoToken') }, 401);
    if (principal.role !== 'village_head') return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageWrongRole') }, 403);
    await fixProblem(models, principal, form.inspection, form.index, form.note, ground.now());
    const back = `/village?token=${encodeURIComponent(form.token)}${form.plan ? `&plan=${encodeURIComponent(form.plan)}` : ''}${ctx.lang === 'en' ? '&lang=en' : ''}`;
    res.redirect(303, `${back}&fixed=1#problems`);
  };
}
