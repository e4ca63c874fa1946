/**
 * `/me?token=<feed secret>`: a person's own shifts, the subscribe link and its QR code, and
 * the forms to report themselves out ("I cannot do this shift", "I am out from … to …") with
 * what became of earlier reports. The feed secret is the only key (as for
 * `/feeds/<secret>.ics`); a village feed secret or an unknown one shows nothing. A report
 * too close to its shift is refused with whom to call (src/replan/).
 */
import express, { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { instantSchema } from '../../http/schemas.js';
import type { Config } from '../../config.js';
import type { Models } from '../../db/models.js';
import { webcalUrl } from '../../feeds/index.js';
import { feedSubject } from '../../roster/feed-store.js';
import { pageContext, sendPage } from '../render.js';
import { personShifts } from './person-shifts.js';
import { parseLocalDateTime } from '../../domain/time.js';
import { plainText } from '../../http/schemas.js';
import { ownReports, selfReport, type SelfReportRequest } from '../../replan/absence-reports.js';
import { whomToCall, type Contact } from '../../replan/contacts.js';
import { getPlan } from '../../roster/plans.js';
import { AppError, fieldProblemsOf } from '../../errors.js';
import type { PageContext } from '../render.js';
import { localTime, shiftLabel } from '../time-labels.js';
import { claimOpenShift, ClaimRefused, listClaims } from '../../claims/claims.js';
import { openShiftsFor } from '../../claims/open-shifts.js';
import { rememberPerson } from '../gate/person-cookie.js';
import { acceptSwap, getSwap, offerSwap, withdrawSwap } from '../../claims/swaps.js';
import { displayNames } from '../display-names.js';
import { personSwaps } from './person-swaps.js';

const FEED_SECRET = /^[A-Za-z0-9_-]{20,200}$/;
const querySchema = z.object({
  token: z.string().optional(),
  at: instantSchema.optional().catch(undefined),
  reported: z.string().max(200).optional(),
  claimed: z.string().max(400).optional(),
  swapped: z.string().max(100).optional(),
});

/** The swap forms: offer one of my shifts (optionally to a colleague), accept an offer (optionally giving one back), withdraw mine. */
const shiftFields = { planId: z.string().min(1).max(100), gateId: z.string().min(1).max(100), start: z.string().regex(/^\d{1,15}$/) };
const swapForms = {
  offer: z.strictObject({ token: z.string().max(300), ...shiftFields, toCadreId: z.string().trim().max(64).optional() }),
  accept: z.strictObject({
    token: z.string().max(300),
    swapId: z.string().min(1).max(100),
    inReturn: z
      .string()
      .regex(/^$|^[^|]{1,100}\|\d{1,15}$/)
      .optional(),
  }),
  withdraw: z.strictObject({ token: z.string().max(300), swapId: z.string().min(1).max(100) }),
};

/** A claim from the page: the open shift's plan, gate and start (ms), as the page lists it. */
const claimForm = z.strictObject({
  token: z.string().max(300),
  planId: z.string().min(1).max(100),
  gateId: z.string().min(1).max(100),
  start: z.string().regex(/^\d{1,15}$/),
});

/** The self-report form: one shift (plan, gate, start in ms) or a span in local time, always with a reason. */
const reportForm = z.object({
  token: z.string().max(300),
  planId: z.string().max(100).optional(),
  gateId: z.string().max(100).optional(),
  start: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
  from: z.string().trim().max(40).optional(),
  to: z.string().trim().max(40).optional(),
  reason: plainText(500).trim().min(1, 'give a reason'),
});

export function personRoutes(models: Models, config: Config): Router {
  const router = Router();
  router.get('/me', async (req, res) => {
    const ctx = pageContext(req);
    const query = querySchema.parse(req.query);
    const found = await personOf(models, query.token);
    if (!found) return sendPage(res, ctx, 'message', { title: ctx.t('personTitle'), message: ctx.t('personNoToken') }, 404);
    // The gate pages know this phone's owner from now on (src/pages/gate/person-cookie.ts).
    rememberPerson(req, res, found.token);
    await renderPerson({ models, config }, req, res, ctx, found, {
      now: query.at ?? new Date(),
      reportedId: query.reported,
      claimedId: query.claimed,
      swappedId: query.swapped,
    });
  });

  // A claim of an open shift (src/claims/). The feed secret travels in the body, as for reports.
  router.post('/me/claims', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const ctx = pageContext(req);
    const found = await personOf(models, bodyToken(req));
    if (!found) return sendPage(res, ctx, 'message', { title: ctx.t('personTitle'), message: ctx.t('personNoToken') }, 404);
    const form = claimForm.safeParse(req.body);
    if (!form.success)
      throw new AppError('validation_failed', 'the claim is not complete', {
        problems: form.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
    try {
      const claim = await claimOpenShift(
        models,
        found.cadreId,
        { planId: form.data.planId, gateId: form.data.gateId, start: new Date(Number(form.data.start)) },
        { waitMs: config.CLAIM_WAIT_MS },
      );
      if (claim.status === 'refused' && claim.refusal) throw new ClaimRefused(claim.refusal);
      const back = new URLSearchParams({ token: found.token, claimed: claim.id });
      if (ctx.lang === 'en') back.set('lang', 'en');
      res.redirect(303, `/me?${back.toString()}#open-shifts`);
    } catch (error) {
      if (!(error instanceof ClaimRefused)) throw error;
      await renderPerson(
        { models, config },
        req,
        res,
        ctx,
        found,
        { now: new Date(), claimRefused: ctx.lang === 'en' ? error.refusal.message : error.refusal.messageZh },
        409,
      );
    }
  });

  // Swaps (src/claims/swaps.ts): offer, accept, withdraw; a refusal shows on the page with why.
  for (const action of ['offer', 'accept', 'withdraw'] as const) {
    router.post(`/me/swaps/${action}`, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
      const ctx = pageContext(req);
      const found = await personOf(models, bodyToken(req));
      if (!found) return sendPage(res, ctx, 'message', { title: ctx.t('personTitle'), message: ctx.t('personNoToken') }, 404);
      const form = swapForms[action].safeParse(req.body);
      if (!form.success) throw new AppError('validation_failed', 'the swap form is not complete', { problems: fieldProblemsOf(form.error) });
      try {
        const swap = await runSwapForm(models, found.cadreId, action, form.data, config.CLAIM_WAIT_MS);
        const back = new URLSearchParams({ token: found.token, swapped: swap.id });
        if (ctx.lang === 'en') back.set('lang', 'en');
        res.redirect(303, `/me?${back.toString()}#swaps`);
      } catch (error) {
        const refused =
          error instanceof ClaimRefused
            ? ctx.lang === 'en'
              ? error.refusal.message
              : error.refusal.messageZh
            : error instanceof AppError && error.code === 'conflict'
              ? error.message
              : null;
        if (refused === null) throw error;
        await renderPerson({ models, config }, req, res, ctx, found, { now: new Date(), swapRefused: refused }, 409);
      }
    });
  }

  // A self-report. The feed secret travels in the form's body (never in a logged URL).
  router.post('/me/absences', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const ctx = pageContext(req);
    const form = reportForm.safeParse(req.body);
    const found = await personOf(models, bodyToken(req));
    if (!found) return sendPage(res, ctx, 'message', { title: ctx.t('personTitle'), message: ctx.t('personNoToken') }, 404);
    if (!form.success) throw new AppError('validation_failed', 'the report is not complete', { problems: fieldProblemsOf(form.error) });
    const outcome = await selfReport(models, found.cadreId, reportRequest(form.data, config.TIMEZONE));
    if (outcome.outcome === 'too_soon') {
      const village = (await models.Cadre.findOne({ _id: found.cadreId }, { village: 1 }).lean<{ village: string }>())?.village ?? '';
      const first = outcome.shifts[0] as (typeof outcome.shifts)[number];
      return renderPerson(
        { models, config },
        req,
        res,
        ctx,
        found,
        {
          now: new Date(),
          tooSoon: { when: localTime(first.start, config.TIMEZONE), hours: outcome.minLeadHours, contacts: await whomToCall(models, village, found.cadreId) },
        },
        422,
      );
    }
    const back = new URLSearchParams({ token: found.token, reported: outcome.absence.id });
    if (ctx.lang === 'en') back.set('lang', 'en');
    res.redirect(303, `/me?${back.toString()}#reports`);
  });
  return router;
}

async function runSwapForm(models: Models, cadreId: string, action: keyof typeof swapForms, data: Record<string, string | undefined>, waitMs: number) {
  if (action === 'offer')
    return offerSwap(models, cadreId, {
      planId: data.planId ?? '',
      gateId: data.gateId ?? '',
      start: new Date(Number(data.start)),
      toCadreId: data.toCadreId || undefined,
    });
  if (action === 'withdraw') return withdrawSwap(models, cadreId, data.swapId ?? '');
  const [gateId, start] = (data.inReturn ?? '').split('|');
  return acceptSwap(models, cadreId, data.swapId ?? '', { inReturn: gateId && start ? { gateId, start: new Date(Number(start)) } : undefined }, { waitMs });
}

interface FoundPerson {
  token: string;
  cadreId: string;
}

async function personOf(models: Models, secret: string | undefined): Promise<FoundPerson | null> {
  const token = secret && FEED_SECRET.test(secret) ? secret : null;
  const subject = token ? await feedSubject(models, token) : null;
  return token && subject?.kind === 'cadre' ? { token, cadreId: subject.subject } : null;
}

/** The form as the use-case takes it; a span is read in the deployment's zone. */
function reportRequest(form: z.infer<typeof reportForm>, timeZone: string): SelfReportRequest {
  if (form.planId && form.gateId && form.start)
    return { shift: { planId: form.planId, gateId: form.gateId, start: new Date(Number(form.start)) }, reason: form.reason };
  const from = parseLocalDateTime(form.from ?? '', timeZone);
  const to = parseLocalDateTime(form.to ?? '', timeZone);
  const problems = [
    ...(from ? [] : [{ field: 'from', message: `not a local date and time: "${form.from ?? ''}"` }]),
    ...(to ? [] : [{ field: 'to', message: `not a local date and time: "${form.to ?? ''}"` }]),
  ];
  if (!from || !to) throw new AppError('validation_failed', 'give a shift, or a span from … to …', { problems });
  return { span: { from, to }, reason: form.reason };
}

async function renderPerson(
  { models, config }: { models: Models; config: Config },
  req: Request,
  res: Response,
  ctx: PageContext,
  found: FoundPerson,
  extra: {
    now: Date;
    reportedId?: string;
    claimedId?: string;
    claimRefused?: string;
    swappedId?: string | undefined;
    swapRefused?: string;
    tooSoon?: { when: string; hours: number; contacts: Contact[] };
  },
  status = 200,
): Promise<void> {
  const { name, shifts } = await personShifts(models, found.cadreId);
  const now = extra.now.getTime();
  const policies = new Map(
    await Promise.all([...new Set(shifts.map((s) => s.planId))].map(async (id) => [id, (await getPlan(models, id)).spec.absencePolicy] as const)),
  );
  const upcoming = shifts
    .filter((s) => s.endMs > now)
    .map((s) => ({
      ...s,
      reportable: s.startMs >= now + (policies.get(s.planId)?.minLeadHours ?? 0) * 3_600_000,
      leadHours: policies.get(s.planId)?.minLeadHours ?? 0,
    }));
  const past = shifts.filter((s) => s.endMs <= now).reverse();
  const at = (d: Date) => localTime(d, config.TIMEZONE);
  const reports = (await ownReports(models, found.cadreId)).map((r) => ({ ...r, fromLocal: at(r.from), toLocal: at(r.to) }));
  const reported = extra.reportedId ? reports.find((r) => r._id === extra.reportedId) : undefined;
  const feedUrl = `${baseUrl(config, req)}/feeds/${found.token}.ics`;
  const openShifts = (await openShiftsFor(models, found.cadreId, extra.now)).map((o) => ({
    ...o,
    label: shiftLabel(o.start, o.end, config.TIMEZONE),
    startMs: o.start.getTime(),
    open: o.needed - o.filled,
  }));
  const ownClaims = (await listClaims(models, { villages: null, cadreId: found.cadreId, limit: 50 })).filter((c) => c.end.getTime() > now);
  const { gate: gateNameOf } = await displayNames(models, { gates: ownClaims.map((c) => c.gateId) });
  const claims = ownClaims.map((c) => ({ ...c, gateName: gateNameOf(c.gateId), label: shiftLabel(c.start, c.end, config.TIMEZONE) }));
  const claimed = extra.claimedId ? claims.find((c) => c.id === extra.claimedId) : undefined;
  const { openSwaps, mySwaps } = await personSwaps(models, found.cadreId, extra.now, config.TIMEZONE, upcoming);
  const swapped = extra.swappedId ? await getSwap(models, extra.swappedId).catch(() => undefined) : undefined;
  const swapWhen = swapped
    ? {
        gate: [...mySwaps, ...openSwaps].find((w) => w.id === swapped.id)?.gateName ?? gateNameOf(swapped.gateId),
        when: shiftLabelText(swapped.start, swapped.end, config.TIMEZONE),
      }
    : undefined;
  const displayName = name ?? (await models.Cadre.findOne({ _id: found.cadreId }, { name: 1 }).lean<{ name: string }>())?.name ?? null;
  sendPage(
    res,
    ctx,
    'person',
    {
      title: displayName ?? ctx.t('personTitle'),
      name: displayName,
      openShifts,
      claims,
      claimFlash: claimed
        ? claimed.status === 'refused'
          ? ctx.lang === 'en'
            ? claimed.refusal?.message
            : claimed.refusal?.messageZh
          : ctx.t(claimed.status === 'published' ? 'claimPublished' : 'claimPending', {
              gate: gateNameOf(claimed.gateId),
              when: `${shiftLabelText(claimed.start, claimed.end, config.TIMEZONE)}`,
            })
        : undefined,
      claimRefused: extra.claimRefused,
      openSwaps,
      mySwaps,
      swapFlash: swapped && swapWhen ? swapFlashOf(ctx, swapped, found.cadreId, swapWhen) : undefined,
      swapRefused: extra.swapRefused,
      token: found.token,
      upcoming,
      // With nothing ahead, show the latest published shifts so the page is never a blank.
      latest: upcoming.length === 0 ? past.slice(0, 10) : [],
      past: upcoming.length === 0 ? past.slice(10) : past,
      reports,
      flash: reported
        ? ctx.t(reported.status === 'accepted' ? 'reportAccepted' : 'reportWaiting', { from: reported.fromLocal, to: reported.toLocal })
        : undefined,
      tooSoon: extra.tooSoon,
      feedUrl,
      webcal: webcalUrl(feedUrl),
      qr: await QRCode.toDataURL(feedUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 }),
    },
    status,
  );
}

/** What the person reads after a swap form: what they did and where it stands now. */
function swapFlashOf(ctx: PageContext, swap: Awaited<ReturnType<typeof getSwap>>, cadreId: string, when: { gate: string; when: string }): string {
  if (swap.status === 'withdrawn') return ctx.t('swapWithdrawn');
  if (swap.status === 'refused' || swap.status === 'expired')
    return (ctx.lang === 'en' ? swap.refusal?.message : swap.refusal?.messageZh) ?? ctx.t(`swapStatus_${swap.status}`);
  if (swap.fromCadreId === cadreId && swap.status === 'open') return ctx.t('swapOffered', when);
  const key = swap.status === 'published' ? 'swapAccepted' : swap.status === 'awaiting_approval' ? 'swapAwaiting' : 'swapPending';
  return ctx.t(key, when);
}

function shiftLabelText(start: Date, end: Date, timeZone: string): string {
  const label = shiftLabel(start, end, timeZone);
  return `${label.date} ${label.hours}`;
}

function baseUrl(config: Config, req: Request): string {
  return config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`;
}

/** The feed secret a `/me` form posts in its body (never in the URL). */
function bodyToken(req: Request): string | undefined {
  const token: unknown = (req.body as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}
