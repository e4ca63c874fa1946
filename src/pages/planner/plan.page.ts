/**
 * One plan in the console: solve it, follow the solve, read the draft (coverage, gaps by
 * village, hours against fair share, nights, changes), publish after a confirmation that
 * shows what changes, make an earlier version current again, and manage pins (with pickers).
 * Every change is a POST answered by a redirect (303), so a reload never repeats it.
 */
import { Router } from 'express';
import { z } from 'zod';
import { instantSchema } from '../../http/schemas.js';
import type { PageDeps } from '../../http/page-port.js';
import { parseLocalDateTime } from '../../domain/time.js';
import { AppError } from '../../errors.js';
import { addPin, getPlan, isShiftStart, removePin, shiftClockTimes, type Plan } from '../../roster/plans.js';
import { listPublications } from '../../roster/publish.js';
import { publishPlan, rollbackPlan } from '../../roster/publish-protocol.js';
import { readDiff, readDraftDiff, readDraftRoster, readPublishedRoster } from '../../roster/read.js';
import { getSolve, requestSolve } from '../../roster/solves.js';
import { getRoll, requestRoll, type RollRound } from '../../roster/roll-protocol.js';
import { gapReasonLabel, isLabelKey, type LabelKey } from '../i18n.js';
import { pageContext, sendPage, type PageContext } from '../render.js';
import { localTime } from '../time-labels.js';
import { gapsByVillage, hoursChart, metricsOf, nightsSpread } from './draft-figures.js';
import { gateOptions, personOptions, resolvePerson, shiftOptions } from './pickers.js';
import { redirectTo, sessionOf } from './request-session.js';
import type { Request, Response } from 'express';

const idSchema = z.object({ id: z.string().min(1).max(100) });
const planQuery = z.object({
  solve: z.string().max(100).optional(),
  published: z.coerce.number().int().optional().catch(undefined),
  /** 1 when the publish found the draft already current (no new version). */
  again: z.string().optional(),
  rolledBack: z.coerce.number().int().optional().catch(undefined),
  /** 1 right after a roll was started from the page. */
  rolling: z.string().optional(),
});
const rollForm = z.object({ days: z.coerce.number().int().min(1).max(31) });
const pinForm = z.object({
  cadre: z.string().trim().max(200).default(''),
  gateId: z.string().trim().max(100).default(''),
  start: z.string().trim().max(40).default(''),
});
/** People per page on a confirmation's list of changes. */
const DIFF_PAGE = 100;

export function planPageRoutes(deps: PageDeps): Router {
  const { models } = deps;
  const router = Router();

  router.get('/plans/:id', async (req, res) => {
    await renderPlan(req, res, await getPlan(models, idSchema.parse(req.params).id), {});
  });

  /** The plan page, with `extra` (a form's error and the input it keeps). */
  async function renderPlan(
    req: Request,
    res: Response,
    plan: Plan,
    extra: { pinError?: string; pinInput?: z.infer<typeof pinForm> },
    status = 200,
  ): Promise<void> {
    const ctx = pageContext(req);
    const session = sessionOf(req);
    const query = planQuery.parse(req.query);
    // The draft asked for, else the published roster (planners see its metrics too).
    const roster = query.solve
      ? await readDraftRoster(models, query.solve, {})
      : plan.publishedVersion !== null
        ? await readPublishedRoster(models, session.principal, plan.id, {})
        : null;
    if (roster && roster.view.planId !== plan.id) throw new AppError('not_found', 'that solve belongs to another plan');
    const metrics = roster ? metricsOf(roster.view.metrics) : null;
    const solve = query.solve ? await getSolve(models, query.solve) : null;
    const [versions, people, gates] = await Promise.all([listPublications(models, plan.id), personOptions(models), gateOptions(models, plan)]);
    const currentSolve = versions.find((v) => v.version === plan.publishedVersion)?.solveId ?? null;
    const roll = await getRoll(models, plan.id);
    sendPage(
      res,
      ctx,
      'planner-plan',
      {
        title: plan.name,
        csrf: session.csrf,
        script: 'planner.js',
        plan,
        solve,
        solveIsCurrent: solve !== null && solve.id === currentSolve,
        publishedFlash: query.published,
        publishedAgain: query.again === '1',
        rolledBackFlash: query.rolledBack,
        rollingFlash: query.rolling === '1',
        roll: roll?.to ? rollCard(ctx, roll) : null,
        versions: [...versions].reverse().map((v) => ({ ...v, at: localTime(new Date(v.publishedAt), plan.spec.timezone) })),
        view: roster?.view ?? null,
        metrics,
        villages: roster ? gapsByVillage(roster.view.gaps) : [],
        chart: metrics ? hoursChart(metrics.perPerson) : null,
        nights: metrics ? nightsSpread(metrics.perPerson) : [],
        pins: plan.pins.map((p) => ({
          ...p,
          iso: p.start.toISOString(),
          local: localTime(p.start, plan.spec.timezone),
          name: people.find((c) => c.id === p.cadreId)?.name ?? '',
          gateName: gates.find((g) => g.id === p.gateId)?.name ?? '',
        })),
        pinConflicts: (roster?.view.pinConflicts as { pin: { cadreId: string; gateId: string; start: string }; message: string }[] | undefined) ?? [],
        people,
        gates,
        shifts: shiftOptions(plan),
        pinError: extra.pinError,
        pinInput: extra.pinInput ?? { cadre: '', gateId: '', start: '' },
        reasonLabel: (reason: string) => gapReasonLabel(reason, ctx.lang),
        pinConflictText: (conflict: { rule?: string; message: string }) => pinConflictText(ctx, conflict),
        outcomeLabel: (outcome: string | null) => outcomeLabel(ctx, outcome),
        at: (iso: string) => localTime(new Date(iso), plan.spec.timezone),
      },
      status,
    );
  }

  router.post('/plans/:id/solve', async (req, res) => {
    const job = await requestSolve(models, idSchema.parse(req.params).id, {}, sessionOf(req).principal.tokenId);
    deps.onSolveRequested?.();
    redirectTo(res, pageContext(req), `/planner/solves/${encodeURIComponent(job.id)}`);
  });

  // The console's roll: the same protocol as POST /api/v1/plans/{id}/roll.
  router.post('/plans/:id/roll', async (req, res) => {
    const { id } = idSchema.parse(req.params);
    const { days } = rollForm.parse(req.body);
    await requestRoll(models, id, { extend: days }, deps.ground.now(), sessionOf(req).principal.tokenId, deps.onSolveRequested);
    deps.onRollRequested?.();
    redirectTo(res, pageContext(req), `/planner/plans/${encodeURIComponent(id)}?rolling=1#roll`);
  });

  router.get('/solves/:id', async (req, res) => {
    const ctx = pageContext(req);
    const solve = await getSolve(models, idSchema.parse(req.params).id);
    if (solve.status === 'done') return redirectTo(res, ctx, `/planner/plans/${encodeURIComponent(solve.planId)}?solve=${encodeURIComponent(solve.id)}`);
    sendPage(res, ctx, 'planner-solve', {
      title: ctx.t('solveStatus'),
      csrf: sessionOf(req).csrf,
      script: 'planner.js',
      solve,
      percent: Math.round(100 * (solve.progress?.fraction ?? 0)),
      phaseLabel: phaseLabel(ctx, solve.progress?.phase ?? solve.status),
      statusLabel: statusLabel(ctx, solve.status),
      elapsedSeconds: elapsedSeconds(solve),
    });
  });

  // Polled by the progress page's script: labels in the page's language, seconds since the start.
  router.get('/solves/:id/status', async (req, res) => {
    const ctx = pageContext(req);
    const solve = await getSolve(models, idSchema.parse(req.params).id);
    res.set('Cache-Control', 'no-store').json({
      status: solve.status,
      statusLabel: statusLabel(ctx, solve.status),
      progress: solve.progress,
      phaseLabel: phaseLabel(ctx, solve.progress?.phase ?? solve.status),
      elapsedSeconds: elapsedSeconds(solve),
      planId: solve.planId,
      error: solve.error,
    });
  });

  // Publishing starts on a confirmation page that shows what changes against the current version.
  router.get('/plans/:id/publish', async (req, res) => {
    const ctx = pageContext(req);
    const plan = await getPlan(models, idSchema.parse(req.params).id);
    const { solve: solveId, page } = confirmQuery.parse(req.query);
    const diff = await readDraftDiff(models, plan.id, solveId);
    sendPage(res, ctx, 'planner-confirm', {
      title: ctx.t('publishConfirmTitle'),
      csrf: sessionOf(req).csrf,
      plan,
      kind: 'publish',
      heading: ctx.t('publishConfirmTitle'),
      hint: diff.alreadyCurrent && diff.published !== null ? ctx.t('alreadyCurrent', { n: diff.published }) : ctx.t('publishConfirmHint'),
      against: diff.published === null ? ctx.t('diffFirst') : ctx.t('diffAgainst', { n: diff.published }),
      action: `/planner/plans/${encodeURIComponent(plan.id)}/publish`,
      fields: { solveId },
      submit: ctx.t('confirmPublish'),
      cancelHref: `/planner/plans/${encodeURIComponent(plan.id)}?solve=${encodeURIComponent(solveId)}`,
      ...diffPage(diff, page, plan),
    });
  });

  router.post('/plans/:id/publish', async (req, res) => {
    const { id } = idSchema.parse(req.params);
    const { solveId } = z.object({ solveId: z.string().min(1) }).parse(req.body);
    const publication = await publishPlan(models, id, solveId, sessionOf(req).principal.tokenId);
    redirectTo(
      res,
      pageContext(req),
      `/planner/plans/${encodeURIComponent(id)}?published=${publication.version}${publication.created ? '' : '&again=1'}#versions`,
    );
  });

  router.get('/plans/:id/rollback', async (req, res) => {
    const ctx = pageContext(req);
    const session = sessionOf(req);
    const plan = await getPlan(models, idSchema.parse(req.params).id);
    const { version, page } = rollbackQuery.parse(req.query);
    if (plan.publishedVersion === null) throw new AppError('not_found', 'this plan has no published version');
    const diff = await readDiff(models, session.principal, plan.id, plan.publishedVersion, version);
    sendPage(res, ctx, 'planner-confirm', {
      title: ctx.t('rollbackConfirmTitle', { n: version }),
      csrf: session.csrf,
      plan,
      kind: 'rollback',
      heading: ctx.t('rollbackConfirmTitle', { n: version }),
      hint: ctx.t('rollbackHint', { n: version }),
      against: ctx.t('diffAgainst', { n: plan.publishedVersion }),
      action: `/planner/plans/${encodeURIComponent(plan.id)}/rollback`,
      fields: { version: String(version) },
      submit: ctx.t('confirmRollback'),
      cancelHref: `/planner/plans/${encodeURIComponent(plan.id)}#versions`,
      ...diffPage(diff, page, plan),
    });
  });

  router.post('/plans/:id/rollback', async (req, res) => {
    const { id } = idSchema.parse(req.params);
    const { version } = z.object({ version: z.coerce.number().int().min(1) }).parse(req.body);
    const publication = await rollbackPlan(models, id, version, sessionOf(req).principal.tokenId);
    redirectTo(res, pageContext(req), `/planner/plans/${encodeURIComponent(id)}?rolledBack=${publication.version}#versions`);
  });

  router.post('/plans/:id/pins', async (req, res) => {
    const ctx = pageContext(req);
    const plan = await getPlan(models, idSchema.parse(req.params).id);
    const form = pinForm.parse(req.body);
    // A refused pin shows the plan again with the reason and what was typed.
    const refuse = (pinError: string) => renderPlan(req, res, plan, { pinError, pinInput: form }, 422);
    const cadre = await resolvePerson(models, form.cadre);
    if (!cadre) return refuse(ctx.t('unknownPerson', { q: form.cadre }));
    if (!(await models.Gate.exists({ _id: form.gateId }))) return refuse(ctx.t('unknownGate', { q: form.gateId }));
    // The picker sends an instant; a typed local time (datetime-local) is read in the plan's zone.
    const start = /[zZ]|[+-]\d{2}:\d{2}$/.test(form.start) ? new Date(form.start) : parseLocalDateTime(form.start, plan.spec.timezone);
    if (!start || Number.isNaN(start.getTime())) return refuse(ctx.t('badLocalTime', { v: form.start }));
    if (!isShiftStart(plan.spec, start))
      return refuse(ctx.t('pinOffGrid', { v: localTime(start, plan.spec.timezone), starts: shiftClockTimes(plan.spec).join('、') }));
    await addPin(models, plan.id, { cadreId: cadre.id, gateId: form.gateId, start });
    redirectTo(res, ctx, `/planner/plans/${encodeURIComponent(plan.id)}#pins`);
  });

  router.post('/plans/:id/pins/remove', async (req, res) => {
    const { id } = idSchema.parse(req.params);
    const form = z.object({ cadreId: z.string().min(1), gateId: z.string().min(1), start: instantSchema }).parse(req.body);
    await removePin(models, id, form);
    redirectTo(res, pageContext(req), `/planner/plans/${encodeURIComponent(id)}#pins`);
  });

  return router;
}

const confirmQuery = z.object({ solve: z.string().min(1).max(100), page: z.coerce.number().int().min(1).catch(1).default(1) });
const rollbackQuery = z.object({ version: z.coerce.number().int().min(1), page: z.coerce.number().int().min(1).catch(1).default(1) });

/** One page of a diff's people, with their shifts as local labels. */
function diffPage(
  diff: {
    people: {
      cadreId: string;
      gained: { cadreName: string; gateName: string; village: string; start: string; end: string }[];
      lost: { cadreName: string; gateName: string; village: string; start: string; end: string }[];
    }[];
    totals: { changedPeople: number; gained: number; lost: number; unchanged: number };
  },
  page: number,
  plan: Plan,
) {
  const pages = Math.max(1, Math.ceil(diff.people.length / DIFF_PAGE));
  const current = Math.min(page, pages);
  const label = (a: { gateName: string; village: string; start: string; end: string }) =>
    `${localTime(new Date(a.start), plan.spec.timezone).slice(5)}–${localTime(new Date(a.end), plan.spec.timezone).slice(11)} ${a.village} ${a.gateName}`;
  return {
    totals: diff.totals,
    page: current,
    pages,
    changes: diff.people.slice((current - 1) * DIFF_PAGE, current * DIFF_PAGE).map((p) => ({
      cadreId: p.cadreId,
      name: p.gained[0]?.cadreName || p.lost[0]?.cadreName || '',
      gained: p.gained.map(label),
      lost: p.lost.map(label),
    })),
  };
}

/** A plan's roll as the roll card shows it: state, days before and after, the result. */
function rollCard(ctx: PageContext, roll: RollRound) {
  const phase: LabelKey = roll.phase === 'solving' ? 'rollPhaseSolving' : roll.phase === 'publishing' ? 'rollPhasePublishing' : 'rollPhaseIdle';
  const result = roll.result;
  return {
    phase: roll.phase,
    phaseLabel: ctx.t(phase),
    fromTo: roll.from && roll.to ? ctx.t('rollFromTo', { from: roll.from.start, a: roll.from.days, to: roll.to.start, b: roll.to.days }) : '',
    outcome: !result
      ? null
      : result.error
        ? ctx.t('rollFailed', { e: result.error })
        : result.publishedVersion !== null
          ? ctx.t('rollPublished', { n: result.publishedVersion })
          : result.draftSolveId
            ? ctx.t('rollDraft')
            : null,
    draftSolveId: result?.draftSolveId ?? null,
  };
}

const PHASE_KEYS: Record<string, LabelKey> = {
  snapshot: 'phase_snapshot',
  solving: 'phase_solving',
  index: 'phase_index',
  monolithic: 'phase_monolithic',
  're-plan': 'phase_replan',
  villages: 'phase_villages',
  'spanning people': 'phase_spanning',
  bound: 'phase_bound',
  fairness: 'phase_fairness',
  report: 'phase_report',
  done: 'phase_done',
  failed: 'phase_failed',
  queued: 'status_queued',
  running: 'status_running',
};

/** A solver phase in the page's language; an unknown one (a new stage) as it is. */
function phaseLabel(ctx: PageContext, phase: string): string {
  const key = PHASE_KEYS[phase];
  return key ? ctx.t(key) : phase;
}

function statusLabel(ctx: PageContext, status: string): string {
  return status === 'queued' || status === 'running' || status === 'done' || status === 'failed' ? ctx.t(`status_${status}`) : status;
}

function elapsedSeconds(solve: { createdAt: Date; startedAt: Date | null }): number {
  return Math.max(0, Math.round((Date.now() - new Date(solve.startedAt ?? solve.createdAt).getTime()) / 1000));
}

/** Why the solver could not keep a pin: in Chinese by its rule (messages `pinRule_*`); in English, the solver's own message. */
export function pinConflictText(ctx: PageContext, conflict: { rule?: string; message: string }): string {
  const key = `pinRule_${conflict.rule}`;
  return ctx.lang === 'zh' && conflict.rule && isLabelKey(key) ? ctx.t(key) : conflict.message;
}

/** A solve's outcome in the page's language. */
function outcomeLabel(ctx: PageContext, outcome: string | null): string {
  return outcome === 'optimal' || outcome === 'feasible' || outcome === 'deadline' ? ctx.t(`outcome_${outcome}`) : (outcome ?? '–');
}
