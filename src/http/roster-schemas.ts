/**
 * What the plan, solve and roster routes answer, as zod schemas: the routes type their
 * answers by these (see `sendJson`) and the OpenAPI document is generated from them.
 * Objects are strict, so the document says `additionalProperties: false` and the contract
 * test refuses a field nobody documented.
 */
import { z } from 'zod';
import type { DailyReportView } from '../ground/grounded-read.js';
import type { SolveMetrics } from '../solver/index.js';
import type { SolveTimings } from '../roster/solves.js';
import { instantOutSchema as instant, nullableInstantSchema } from './openapi.js';
import { roleSchema } from './schemas.js';

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('Local date YYYY-MM-DD');
const engine = z.enum(['highs', 'jslp']);

export const planRulesOutSchema = z
  .strictObject({
    minRestHours: z.number(),
    maxHoursPer24h: z.number(),
    maxHoursPerWeek: z.number(),
    maxConsecutiveNights: z.number().int(),
  })
  .openapi('PlanRules', { description: 'Hard rules of the roster (see PlanCreate for their meaning)' });

export const rollPolicyOutSchema = z
  .strictObject({
    freezeHours: z.number(),
    publish: z.enum(['publish', 'draft']),
    dailyAt: z.string().nullable().describe('Local HH:mm of the daily roll; null = only when asked'),
  })
  .openapi('RollPolicy', { description: 'How the horizon rolls (see PlanCreate for their meaning)' });

export const absencePolicyOutSchema = z
  .strictObject({
    selfReportNeedsAcceptance: z.boolean(),
    minLeadHours: z.number(),
    publishFillInsWithinHours: z.number(),
  })
  .openapi('AbsencePolicy', { description: 'Self-reported absences and the automatic re-plan (see PlanCreate for their meaning)' });

export const openShiftPolicyOutSchema = z
  .strictObject({
    offerWithinHours: z.number(),
    holdForOutsidersMinutes: z.number().int(),
    swapsNeedApproval: z.boolean(),
  })
  .openapi('OpenShiftPolicy', { description: 'Which gaps are offered on /me and to whom first (see PlanCreate for their meaning)' });

export const planSpecOutSchema = z
  .strictObject({
    start: localDate,
    days: z.number().int(),
    timezone: z.string().describe('IANA time zone of the plan'),
    shiftHours: z.number().int(),
    firstShiftStart: z.string().describe('Local HH:mm'),
    gateIds: z.array(z.string()).optional().describe('Planners only; absent = all gates active in the plan'),
    rules: planRulesOutSchema,
    fairness: z.enum(['equal', 'proportional']),
    engine: engine.optional(),
    deadlineSeconds: z.number().optional(),
    absencePolicy: absencePolicyOutSchema,
    campaignId: z.string().nullable().describe('The campaign the plan belongs to; null = a plan on its own'),
    rollPolicy: rollPolicyOutSchema,
    openShiftPolicy: openShiftPolicyOutSchema,
  })
  .openapi('PlanSpec', { description: 'A plan with every default filled in' });

export const pinnedShiftSchema = z.strictObject({ cadreId: z.string(), gateId: z.string(), start: instant.describe('Shift start') }).openapi('PinnedShift');

export const planSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    spec: planSpecOutSchema,
    pins: z.array(pinnedShiftSchema).optional().describe('Planners only'),
    publishedVersion: z.number().int().nullable().describe('The current published version; null before the first publish'),
    origin: localDate.describe(
      'The first day the plan was created with; a roll moves spec.start forward, this stays (outside a campaign, weekly blocks count from it)',
    ),
    activeSolveId: z.string().nullable().optional().describe('Planners only: the queued or running solve'),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Plan');

export const planListSchema = z.strictObject({ items: z.array(planSchema).describe('Newest first') }).openapi('PlanList');

const minMedMax = { min: z.number(), median: z.number(), max: z.number() };
const spreadSchema = z.strictObject(minMedMax);

export const loadSpreadSchema = z
  .strictObject({
    people: z.number().int().describe('People who offered at least 24 h'),
    hoursPerOffered: spreadSchema.describe('Hours worked per hour offered'),
    ratio: z.number().nullable().describe('max / min of hoursPerOffered; 1 = perfectly proportional; null when the min is 0'),
  })
  .openapi('LoadSpread');

/** A solve's figures as stored on its job: SolveMetrics without the per-person loads. */
export const solveSummarySchema = z
  .strictObject({
    placesNeeded: z.number().int().describe('Seats at gate-shifts (person-shifts) the plan needs'),
    placesFilled: z.number().int(),
    upperBound: z.strictObject({ value: z.number().int(), method: z.string() }).describe('Most places any roster can fill, and how that was proved'),
    optimalityGap: z.number().describe('(upperBound - filled) / upperBound; 0 = coverage proven optimal'),
    hours: z.strictObject({ ...minMedMax, gini: z.number() }).describe('Hours per person who could have worked'),
    nights: z.strictObject(minMedMax),
    preferencesMet: z.strictObject({ preferredShiftsWorked: z.number().int(), preferredShiftsOffered: z.number().int() }),
    changesVsPrevious: z
      .strictObject({ kept: z.number().int(), removed: z.number().int(), added: z.number().int(), otherPeopleChanged: z.number().int() })
      .nullable()
      .describe('Re-plans only: against the published roster'),
    fixableImbalances: z
      .number()
      .int()
      .describe('Single shifts that could move from someone 2+ shifts heavier to an eligible colleague (in a campaign: heavier to date)'),
    loadSpread: loadSpreadSchema.optional().describe("This plan's hours per offered hour"),
    campaign: z
      .strictObject({ loadSpread: loadSpreadSchema, hours: spreadSchema, nights: spreadSchema })
      .optional()
      .describe('In a campaign: the same figures for the campaign to date (its fairness window), this plan included'),
    leadShortfalls: z.number().int(),
    leadBound: z.strictObject({ value: z.number().int(), method: z.string() }).optional().describe('Proven: no roster has fewer lead shortfalls than this'),
    solveMs: z.number(),
    engine,
    subproblems: z.number().int(),
    stages: z
      .array(z.strictObject({ name: z.string(), ms: z.number() }))
      .optional()
      .describe('Wall time per stage of the solve'),
    notes: z.array(z.string()).optional().describe('What a planner should know about how the solve went'),
  })
  .openapi('SolveSummary');

export const personLoadSchema = z
  .strictObject({
    cadreId: z.string(),
    hours: z.number(),
    nights: z.number().int(),
    fairShareHours: z.number(),
    offeredHours: z.number().describe('Hours offered in this plan (available where an eligible gate needs someone, within weekly caps)'),
    toDate: z
      .strictObject({ hours: z.number(), nights: z.number().int(), offeredHours: z.number() })
      .optional()
      .describe('In a campaign: this plan added to what the person carried before it (within the fairness window)'),
  })
  .openapi('PersonLoad');

// One flat object, not `.extend()`: that generates `allOf: [SolveSummary, {perPerson, additionalProperties: false}]`,
// whose second branch forbids every property of the first.
export const solveMetricsSchema = z.strictObject({ ...solveSummarySchema.shape, perPerson: z.array(personLoadSchema) }).openapi('SolveMetrics');

// The solver owns SolveMetrics: if it grows, loses or changes a field, this fails to compile
// here, not at a client. (Key sets are compared too: optional fields escape plain assignability.)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const metricsMatch: Same<z.infer<typeof solveMetricsSchema>, SolveMetrics> = true;
void metricsMatch;

const ms = (what: string) => z.number().int().min(0).describe(what);
const solveTimingsSchema = z
  .strictObject({
    queuedMs: ms('Requested -> taken by a worker'),
    snapshotMs: ms('Reading the plan and the directory'),
    contextMs: ms('Reading the published rosters around the plan (other plans, history, campaign)'),
    solverMs: ms('Handing the input to the solve thread -> its result back: the parts in `solver`'),
    storeMs: ms('Writing the roster and its gaps: the parts in `store`'),
    totalMs: ms('Requested -> roster and gaps stored; the top-level parts add up to at most this'),
    solver: z
      .strictObject({
        threadStartMs: ms('Starting the solve thread: its loader, the solver modules, the input copied in'),
        modelMs: ms('The model build (the solver stage `index`: slots, needs, availability, pins)'),
        stages: z
          .record(z.string(), z.number().int().min(0))
          .describe('Each solver stage by name, ms (villages, towns, district, leads, fairness; re-plan or monolithic instead)'),
        boundsMs: ms('The whole-district bounds (max-flow of places and of leads); the villages’ and towns’ own certificates are in their stages'),
        reportMs: ms('Gaps with reasons, metrics, the fixable-imbalance count'),
        resultMs: ms('The result copied back from the thread'),
      })
      .describe('Within solverMs'),
    store: z
      .strictObject({
        packMs: ms('Serialising and compressing the roster and its gaps into one packed document'),
        writeMs: ms('Writing that document'),
      })
      .describe('Within storeMs'),
  })
  .openapi('SolveTimings');
// The worker owns SolveTimings (src/roster/solves.ts): a field added there fails to compile here.
const timingsMatch: Same<z.infer<typeof solveTimingsSchema>, SolveTimings> = true;
void timingsMatch;

export const solveJobSchema = z
  .strictObject({
    id: z.string(),
    planId: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    progress: z.strictObject({ phase: z.string(), fraction: z.number().min(0).max(1) }),
    outcome: z.enum(['optimal', 'feasible', 'deadline']).nullable().describe('optimal: filled = proven upper bound; deadline: best roster when time ran out'),
    metrics: solveSummarySchema.nullable(),
    snapshot: z
      .strictObject({
        gates: z.number().int(),
        cadres: z.number().int(),
        windows: z.number().int(),
        pins: z.number().int(),
        previousAssignments: z.number().int(),
      })
      .nullable()
      .describe('What the solve read'),
    timings: solveTimingsSchema.nullable().describe('Where a finished solve’s time went; null until done'),
    error: z.string().nullable(),
    createdAt: instant,
    startedAt: nullableInstantSchema,
    finishedAt: nullableInstantSchema,
  })
  .openapi('SolveJob');

export const solveJobListSchema = z.strictObject({ items: z.array(solveJobSchema).describe('Newest first') }).openapi('SolveJobList');

export const assignmentViewSchema = z
  .strictObject({
    cadreId: z.string(),
    cadreName: z.string(),
    role: z.union([roleSchema, z.literal('')]).describe('Empty when the person is no longer known'),
    gateId: z.string(),
    gateName: z.string(),
    village: z.string(),
    town: z.string(),
    start: instant,
    end: instant,
    pinned: z.boolean(),
  })
  .openapi('Assignment');

export const gapViewSchema = z
  .strictObject({
    gateId: z.string(),
    gateName: z.string(),
    village: z.string(),
    town: z.string(),
    start: instant,
    end: instant,
    needed: z.number().int(),
    filled: z.number().int(),
    reason: z
      .enum(['no_one_eligible', 'no_one_available', 'busy_elsewhere', 'eligible_at_hour_cap', 'rest_rule', 'no_lead_available', 'deadline', 'no_show'])
      .describe(
        'no_show: rostered, but nobody checked in NO_SHOW_AFTER_MIN minutes after the start (current version only; a late check-in or a walk-in clears it)',
      ),
    detail: z.string().describe('One sentence a planner can act on'),
    detailZh: z.string(),
  })
  .openapi('Gap');

export const pinConflictSchema = z
  .strictObject({ pin: pinnedShiftSchema, rule: z.string().describe('Machine name of the rule, e.g. availability, minRest, locality'), message: z.string() })
  .openapi('PinConflict');

export const rosterViewSchema = z
  .strictObject({
    planId: z.string(),
    version: z.number().int().nullable().describe('Null for a draft'),
    solveId: z.string().optional().describe('Planners only'),
    publishedAt: nullableInstantSchema.describe('Null for a draft'),
    timezone: z.string(),
    assignments: z.array(assignmentViewSchema),
    gaps: z.array(gapViewSchema),
    metrics: solveMetricsSchema.optional().describe('Planners only'),
    pinConflicts: z.array(pinConflictSchema).optional().describe('Planners only: pins the solver could not keep'),
  })
  .openapi('Roster');

export const gapsViewSchema = z
  .strictObject({ planId: z.string(), version: z.number().int(), publishedAt: instant, timezone: z.string(), gaps: z.array(gapViewSchema) })
  .openapi('RosterGaps');

const coverageFigures = {
  placesNeeded: z.number().int().describe('Seats at gate-shifts starting that day'),
  placesFilled: z.number().int(),
  percentCovered: z.number().nullable().describe('One decimal; null when nothing was needed'),
  gaps: z.number().int().describe('Gate-shifts with a gap starting that day'),
  gapHours: z.number().describe('Missing person-hours inside the day'),
  hoursWorked: z.number().describe('Person-hours on duty inside the day'),
};

const groundFiguresSchema = z
  .strictObject({
    placesPlanned: z.number().int().describe('Rostered places at gate-shifts starting that day'),
    checkedIn: z.number().int().describe('Of those, checked in (late check-ins too)'),
    noShows: z.number().int().describe('Of those, no-shows (未到岗) now; only at gates with a check-in code, NO_SHOW_AFTER_MIN after the start'),
    walkIns: z.number().int().describe('Check-ins by people not rostered at that gate-shift'),
    inspections: z.number().int().describe('Spot checks made that day'),
    problemsFound: z.number().int().describe('Problems those found'),
    problemsFixed: z.number().int().describe('Of those, fixed on the spot or marked fixed since'),
    problemsOpen: z.number().int().describe('Problems found up to the day’s end still open now, whatever day they were found'),
  })
  .openapi('GroundFigures', { description: 'What happened on the ground: check-ins and inspections (一日一报)' });

const villageReportSchema = z.strictObject({ village: z.string(), town: z.string(), ...coverageFigures, ground: groundFiguresSchema }).openapi('VillageReport');
const townReportSchema = z
  .strictObject({ town: z.string(), ...coverageFigures, ground: groundFiguresSchema, villages: z.array(villageReportSchema) })
  .openapi('TownReport');

export const dailyReportSchema = z
  .strictObject({
    date: localDate,
    timeZone: z.string(),
    dayStart: instant.describe('The local day is [dayStart, dayEnd)'),
    dayEnd: instant,
    towns: z.array(townReportSchema),
    district: z.strictObject({
      ...coverageFigures,
      hoursByRole: z.strictObject({ village_cadre: z.number(), dispatched: z.number(), volunteer: z.number() }),
      ground: groundFiguresSchema,
    }),
  })
  .openapi('DailyReport');

const reportMatch: Same<z.infer<typeof dailyReportSchema>, DailyReportView> = true;
void reportMatch;

export const diffSchema = z
  .strictObject({
    from: z.number().int(),
    to: z.number().int(),
    people: z.array(
      z.strictObject({
        cadreId: z.string(),
        gained: z.array(assignmentViewSchema).describe('Shifts in `to` and not in `from`, named as in `to`'),
        lost: z.array(assignmentViewSchema).describe('Shifts in `from` and not in `to`, named as in `from`'),
        unchanged: z.number().int(),
      }),
    ),
    totals: z.strictObject({ changedPeople: z.number().int(), gained: z.number().int(), lost: z.number().int(), unchanged: z.number().int() }),
  })
  .openapi('RosterDiff');

export const publicationSchema = z
  .strictObject({
    planId: z.string(),
    version: z.number().int(),
    solveId: z.string().optional().describe('Planners only'),
    publishedAt: instant,
    publishedBy: z.string().optional().describe('Planners only: the token id that published'),
  })
  .openapi('Publication');

export const publicationListSchema = z.strictObject({ items: z.array(publicationSchema).describe('Oldest first') }).openapi('PublicationList');

export const publishResultSchema = z
  .strictObject({
    planId: z.string(),
    version: z.number().int(),
    solveId: z.string(),
    publishedAt: instant,
    publishedBy: z.string(),
    feedsRefreshed: z.strictObject({ cadres: z.number().int(), villages: z.number().int() }).describe('Calendar feeds written anew'),
    created: z.boolean().describe('False when the roster was already the current version (nothing changed)'),
  })
  .openapi('PublishResult');
