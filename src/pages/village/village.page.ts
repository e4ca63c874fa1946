/**
 * `/village?token=<village head token>`: coverage of the head's own villages, on a phone.
 * The token is checked like an API bearer token and the roster is read through
 * `readGroundedRoster` (src/ground/grounded-read.ts), which applies the token's village
 * scope; nothing in the query (`plan`, `at`, anything else) can widen it.
 */
import express, { Router } from 'express';
// A head's absence is accepted at once and re-plans the published rosters it touches; so does
// a self-report the head accepts.
import { acceptAbsence, listAbsenceRecords, recordAbsence } from '../../replan/absence-reports.js';
import { parseLocalDateTime } from '../../domain/time.js';
import { personOptions, resolvePerson } from '../planner/pickers.js';
import { z } from 'zod';
import { instantSchema, plainText } from '../../http/schemas.js';
import { verifyToken } from '../../auth/tokens.js';
import type { Models } from '../../db/models.js';
import { readGroundedRoster } from '../../ground/grounded-read.js';
import { gapReasonLabel } from '../i18n.js';
import { choosePublishedPlan } from '../published-plan.js';
import { pageContext, sendPage } from '../render.js';
import { localTime, shiftLabel } from '../time-labels.js';
import { listClaims } from '../../claims/claims.js';
import { displayNames } from '../display-names.js';
import { decideSwap, listSwaps } from '../../claims/swaps.js';
import { coverageModel } from './coverage-grid.js';
import { nowModel } from './now-model.js';
import type { GroundSettings } from '../../ground/grounded-roster.js';
import { openProblems, presenceLookup, problemFixRoute } from './ground-panel.js';

const querySchema = z.object({
  token: z.string().min(1).max(300).optional(),
  plan: z.string().max(100).optional(),
  /** View the page as of this instant (which shift is current, which gaps are still ahead). */
  at: instantSchema.optional().catch(undefined),
  /** The absence just added (after the form's redirect). */
  added: z.string().max(300).optional(),
  /** The self-reported absence just accepted (after the form's redirect). */
  accepted: z.string().max(300).optional(),
  /** A problem was just marked fixed (after the form's redirect). */
  fixed: z.string().max(10).optional(),
  /** A swap was just approved or declined (after the form's redirect). */
  swap: z.string().max(300).optional(),
});

const absenceForm = z.object({
  token: z.string().min(1).max(300),
  plan: z.string().max(100).optional(),
  cadre: z.string().trim().max(200).default(''),
  from: z.string().trim().max(40).default(''),
  to: z.string().trim().max(40).default(''),
  reason: plainText(500).trim().default(''),
});

const acceptForm = z.object({
  token: z.string().min(1).max(300),
  plan: z.string().max(100).optional(),
  id: z.string().min(1).max(300),
});

const swapForm = z.object({
  token: z.string().min(1).max(300),
  plan: z.string().max(100).optional(),
  id: z.string().min(1).max(300),
  approve: z.enum(['yes', 'no']),
});

export function villageRoutes(models: Models, timeZone: string, ground: GroundSettings): Router {
  const router = Router();
  const pageBack = (ctx: ReturnType<typeof pageContext>, token: string, plan: string | undefined): string =>
    `/village?token=${encodeURIComponent(token)}${plan ? `&plan=${encodeURIComponent(plan)}` : ''}${ctx.lang === 'en' ? '&lang=en' : ''}`;
  /** The head behind a form's token, or null once the refusal page is sent. */
  const headOf = async (ctx: ReturnType<typeof pageContext>, res: express.Response, token: string) => {
    const principal = await verifyToken(models, token);
    if (!principal) sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageNoToken') }, 401);
    else if (principal.role !== 'village_head') sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageWrongRole') }, 403);
    else return principal;
    return null;
  };

  // A head marks one of their people absent. The token in the form is the credential (and,
  // being secret, also what stops another site from posting this form); the answer is a
  // redirect back to the page (PRG), so a reload adds nothing.
  router.post('/village/absences', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const ctx = pageContext(req);
    const form = absenceForm.parse(req.body);
    const principal = await headOf(ctx, res, form.token);
    if (!principal) return;
    const back = pageBack(ctx, form.token, form.plan);
    const refuse = (message: string) =>
      sendPage(
        res,
        ctx,
        'message',
        { title: ctx.t('absencesTitle'), message, details: [`${form.cadre} · ${form.from} – ${form.to}`], backHref: `${back}#absences` },
        422,
      );
    const cadre = await resolvePerson(models, form.cadre, principal.villages);
    if (!cadre) return refuse(ctx.t('unknownPerson', { q: form.cadre }));
    const from = parseLocalDateTime(form.from, timeZone);
    const to = parseLocalDateTime(form.to, timeZone);
    if (!from || !to) return refuse(ctx.t('badLocalTime', { v: !from ? form.from : form.to }));
    if (!(from < to)) return refuse(ctx.t('toBeforeFrom'));
    const { absence } = await recordAbsence(models, principal, { cadreId: cadre.id, from, to, reason: form.reason });
    res.redirect(303, `${back}&added=${encodeURIComponent(absence.id)}#absences`);
  });

  // A head accepts a self-report of one of their people (the plan's policy asked for it):
  // the same path as the API's accept, scoped to the head's villages.
  router.post('/village/absences/accept', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const ctx = pageContext(req);
    const form = acceptForm.parse(req.body);
    const principal = await headOf(ctx, res, form.token);
    if (!principal) return;
    const absence = await acceptAbsence(models, principal, form.id);
    res.redirect(303, `${pageBack(ctx, form.token, form.plan)}&accepted=${encodeURIComponent(absence.id)}#absences`);
  });

  // A head approves or declines a swap in their village (the plan's policy asks for it): the
  // same path as the API's decision, so the first word stands and another village's head is refused.
  router.post('/village/swaps/decide', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const ctx = pageContext(req);
    const form = swapForm.parse(req.body);
    const principal = await headOf(ctx, res, form.token);
    if (!principal) return;
    const swap = await decideSwap(models, principal, form.id, form.approve === 'yes');
    res.redirect(303, `${pageBack(ctx, form.token, form.plan)}&swap=${encodeURIComponent(swap.id)}#swaps`);
  });

  router.post('/village/problems/fix', express.urlencoded({ extended: false, limit: '16kb' }), problemFixRoute(models, ground));

  router.get('/village', async (req, res) => {
    const ctx = pageContext(req);
    const query = querySchema.parse(req.query);
    const principal = query.token ? await verifyToken(models, query.token) : null;
    if (!principal) return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageNoToken') }, 401);
    if (principal.role !== 'village_head') return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('villageWrongRole') }, 403);

    // Only plans with gates or shifts in the head's villages are offered.
    const published = (await choosePublishedPlan(models, undefined)).all;
    const touching = (await Promise.all(published.map(async (p) => ({ p, ...(await readGroundedRoster(models, principal, p.planId, {}, ground)) })))).filter(
      ({ view }) => view.assignments.length > 0 || view.gaps.length > 0,
    );
    const all = touching.map(({ p }) => p);
    const chosenEntry = (query.plan ? touching.find(({ p }) => p.planId === query.plan) : undefined) ?? touching[0];
    if (!chosenEntry) return sendPage(res, ctx, 'message', { title: ctx.t('villageTitle'), message: ctx.t('noPublished') });
    const chosen = chosenEntry.p;
    const roster = { view: chosenEntry.view };
    const now = query.at ?? ground.now();
    const model = coverageModel(roster.view, roster.view.timezone, now);
    // The head calls a missing guard: phones of the people on duty, looked up by gate-shift and name.
    const onDutyIds = new Map(roster.view.assignments.map((a) => [`${a.gateId}|${Date.parse(a.start)}|${a.cadreName}`, a.cadreId]));
    const phones = new Map(
      (
        await models.Cadre.find({ _id: { $in: [...new Set(onDutyIds.values())] } }, { _id: 0, id: 1, phone: 1 }).lean<{ id: string; phone: string | null }[]>()
      ).map((c) => [c.id, c.phone]),
    );
    const presence = await presenceLookup(models, chosenEntry.presence, onDutyIds);
    const now_ = nowModel(
      model,
      roster.view.timezone,
      now,
      (gateId, startMs, name) => phones.get(onDutyIds.get(`${gateId}|${startMs}|${name}`) ?? '') ?? null,
      presence,
    );
    const problems = await openProblems(models, principal, roster.view.timezone, ctx.lang);
    const [people, allAbsences] = await Promise.all([personOptions(models, principal.villages), listAbsenceRecords(models, principal, {})]);
    // The list shows what has not ended a day ago; the one just added is confirmed whenever it is.
    const absences = allAbsences.filter((a) => a.to.getTime() > now.getTime() - 86_400_000);
    const added = query.added ? allAbsences.find((a) => a.id === query.added) : undefined;
    const accepted = query.accepted ? allAbsences.find((a) => a.id === query.accepted) : undefined;
    const at = (d: Date) => localTime(d, roster.view.timezone);
    const claims = await villageClaims(models, principal.villages, chosen.planId, now, roster.view.timezone);
    const swaps = await villageSwaps(models, principal.villages, chosen.planId, now, roster.view.timezone);
    const decided = query.swap ? swaps.find((w) => w.id === query.swap) : undefined;
    sendPage(res, ctx, 'village', {
      title: `${principal.villages.join('、')} · ${ctx.t('villageTitle')}`,
      villages: principal.villages,
      plan: chosen,
      plans: all,
      token: query.token,
      version: roster.view.version,
      publishedAt: roster.view.publishedAt ? localTime(new Date(roster.view.publishedAt), roster.view.timezone) : '',
      renderedAt: localTime(new Date(), roster.view.timezone),
      timezone: roster.view.timezone,
      model,
      now: now_,
      reasonLabel: (reason: string) => gapReasonLabel(reason, ctx.lang),
      people,
      absences: absences.map((a) => ({ ...a, fromLocal: at(a.from), toLocal: at(a.to) })),
      absenceFlash: added
        ? ctx.t('absenceAdded', { name: added.cadreName, from: at(added.from), to: at(added.to) })
        : accepted
          ? ctx.t('absenceAccepted', { name: accepted.cadreName })
          : '',
      problems,
      problemFlash: query.fixed ? ctx.t('problemFixedFlash') : '',
      claims,
      swaps,
      swapFlash: decided ? ctx.t(decided.status === 'declined' ? 'swapDeclinedFlash' : 'swapApprovedFlash', { from: decided.from, to: decided.to }) : '',
    });
  });
  return router;
}

/** Open shifts of this plan the people claimed in these villages, shifts not ended a day ago, soonest first. */
async function villageClaims(models: Models, villages: string[], planId: string, now: Date, timeZone: string) {
  const claims = (await listClaims(models, { villages, status: 'published' })).filter(
    (c) => c.planId === planId && c.end.getTime() > now.getTime() - 86_400_000,
  );
  const names = await displayNames(models, { people: claims.map((c) => c.cadreId), gates: claims.map((c) => c.gateId) });
  return claims.map((c) => ({
    id: c.id,
    who: names.person(c.cadreId),
    gate: names.gate(c.gateId),
    label: shiftLabel(c.start, c.end, timeZone),
    claimedAt: localTime(c.createdAt, timeZone),
    version: c.publishedVersion,
  }));
}

/** Swaps of this plan in these villages that wait for a head or were settled, shifts not ended a day ago, soonest first. */
async function villageSwaps(models: Models, villages: string[], planId: string, now: Date, timeZone: string) {
  const shown = new Set(['awaiting_approval', 'pending', 'published', 'declined']);
  const swaps = (await listSwaps(models, { villages }, now)).filter(
    (w) => w.planId === planId && shown.has(w.status) && w.end.getTime() > now.getTime() - 86_400_000,
  );
  const names = await displayNames(models, {
    people: swaps.flatMap((w) => [w.fromCadreId, w.takerCadreId ?? '']),
    gates: swaps.flatMap((w) => [w.gateId, ...(w.inReturn ? [w.inReturn.gateId] : [])]),
  });
  return swaps.map((w) => ({
    id: w.id,
    status: w.status,
    gate: names.gate(w.gateId),
    label: shiftLabel(w.start, w.end, timeZone),
    from: names.person(w.fromCadreId),
    to: w.takerCadreId ? names.person(w.takerCadreId) : '',
    back: w.inReturn ? { gate: names.gate(w.inReturn.gateId), label: shiftLabel(new Date(w.inReturn.start), new Date(w.inReturn.end), timeZone) } : null,
    version: w.publishedVersion,
  }));
}
