/**
 * A plan: which days, which shift pattern, which gates and which rules a roster is solved
 * for. The HTTP layer reuses this schema for `POST /api/v1/plans` bodies, so every field
 * carries a description and every default from the issue lives here, in one place.
 */
import { z } from 'zod';
import { isLocalDate, isValidTimeZone, parseClock } from './time.js';

/** Planner-adjustable rules; every default is the issue's. */
export const planRulesSchema = z
  .strictObject({
    minRestHours: z.number().min(0).max(48).default(8).describe('Minimum rest between two shifts of one person, hours'),
    maxHoursPer24h: z.number().positive().max(24).default(12).describe('Maximum hours one person works in any 24 h, duty in other plans included'),
    maxHoursPerWeek: z
      .number()
      .positive()
      .max(168)
      .default(48)
      .describe(
        "Maximum hours per 7-day block from the plan's first day (in a campaign: from the campaign's start); duty in other plans counts; a cadre may override it with their own cap",
      ),
    maxConsecutiveNights: z.number().int().min(0).max(31).default(3).describe('Maximum night shifts (overlapping 00:00-06:00 local) on consecutive nights'),
  })
  .describe('Hard rules of the roster');

/** How absences reported by people themselves (on their `/me` page) are handled; defaults are the issue's. */
export const absencePolicySchema = z
  .strictObject({
    selfReportNeedsAcceptance: z
      .boolean()
      .default(false)
      .describe('A self-reported absence waits as "reported" until a village head of the person\'s village or a planner accepts it; false = accepted at once'),
    minLeadHours: z
      .number()
      .min(0)
      .max(168)
      .default(2)
      .describe('A person cannot report themselves out of a shift that starts in less than this many hours (the page shows whom to call instead)'),
    publishFillInsWithinHours: z
      .number()
      .min(0)
      .max(744)
      .default(48)
      .describe(
        'After an accepted absence the published roster is re-planned; fill-ins for shifts starting within this many hours are published at once, the rest wait as a draft for the planner',
      ),
  })
  .describe('Self-reported absences and the automatic re-plan that follows an accepted absence');

export const ABSENCE_POLICY_DEFAULTS = { selfReportNeedsAcceptance: false, minLeadHours: 2, publishFillInsWithinHours: 48 } as const;

/** How the plan's horizon rolls forward (`POST /api/v1/plans/{id}/roll`, or daily by itself). */
export const rollPolicySchema = z
  .strictObject({
    freezeHours: z
      .number()
      .min(0)
      .max(168)
      .default(24)
      .describe('Published shifts starting within this many hours of a roll stay exactly as published; the rest is re-planned with as few changes as possible'),
    publish: z
      .enum(['publish', 'draft'])
      .default('publish')
      .describe('publish: a roll publishes its re-plan as the next version at once; draft: it waits for a planner'),
    dailyAt: z
      .string()
      .refine((t) => {
        const m = parseClock(t);
        return m !== null && m < 1440;
      }, 'not a local time HH:mm before 24:00')
      .nullable()
      .default(null)
      .describe(
        "Local time (the plan's zone) at which the plan rolls by itself each day, keeping its length: ended days drop, new days are added; null = only when asked",
      ),
  })
  .describe('Rolling the horizon: keep planning the next days while what is published for the next hours stays put');

export const ROLL_POLICY_DEFAULTS = { freezeHours: 24, publish: 'publish', dailyAt: null } as const;

/** Gaps people may claim themselves from their `/me` page (`GET /api/v1/open-shifts`). */
export const openShiftPolicySchema = z
  .object({
    offerWithinHours: z
      .number()
      .min(0)
      .max(744)
      .default(48)
      .describe('A gap whose shift starts within this many hours is offered to everyone who could take it without breaking a rule; 0 = never offered'),
    holdForOutsidersMinutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .default(0)
      .describe(
        "Volunteers and dispatched cadres see an offered gap this many minutes before village cadres do (counted from when the gap is first offered: the later of its version's publish and the start of the offer window)",
      ),
    swapsNeedApproval: z
      .boolean()
      .default(false)
      .describe(
        "A swap two people agreed on applies only after the head of the offered shift's village (or a planner) approves it; false = it applies as soon as it is accepted and both rosters stay legal",
      ),
  })
  .describe('Open shifts and swaps: gaps offered to the people who could fill them (first claim wins), and shifts people trade among themselves');

export const OPEN_SHIFT_POLICY_DEFAULTS = { offerWithinHours: 48, holdForOutsidersMinutes: 0, swapsNeedApproval: false } as const;

export const planSpecSchema = z
  .strictObject({
    start: z.string().refine(isLocalDate, 'not a date YYYY-MM-DD').describe('First local day of the plan, YYYY-MM-DD'),
    days: z.number().int().min(1).max(31).describe('Number of days the plan covers (1-31)'),
    timezone: z.string().default('Asia/Shanghai').refine(isValidTimeZone, 'not an IANA time zone').describe('IANA time zone for shift boundaries and nights'),
    shiftHours: z
      .number()
      .int()
      .min(1)
      .max(24)
      .default(8)
      .refine((h) => 24 % h === 0, 'shift length must divide 24 h')
      .describe('Shift length in hours; must divide 24 (8 = 3 shifts a day, 12 = 2, 4 = 6)'),
    firstShiftStart: z
      .string()
      .default('00:00')
      .refine((t) => {
        const m = parseClock(t);
        return m !== null && m < 1440;
      }, 'not a local time HH:mm before 24:00')
      .describe('Local start of the first shift of each day, HH:mm'),
    gateIds: z.array(z.string().min(1)).optional().describe('Gates to roster; omitted = all gates active in the plan'),
    rules: planRulesSchema.default({ minRestHours: 8, maxHoursPer24h: 12, maxHoursPerWeek: 48, maxConsecutiveNights: 3 }),
    fairness: z
      .enum(['equal', 'proportional'])
      .default('equal')
      .describe('equal: hours as equal as rules allow; proportional: in proportion to the hours each person offered'),
    engine: z.enum(['highs', 'jslp']).optional().describe('LP engine; omitted = the deployment default'),
    deadlineSeconds: z.number().positive().max(3600).optional().describe('Wall-clock limit for the solve; omitted = deployment default'),
    absencePolicy: absencePolicySchema.default(ABSENCE_POLICY_DEFAULTS),
    campaignId: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .default(null)
      .describe(
        'The campaign this plan belongs to (POST /api/v1/campaigns): its rules hold across the edges of the other plans of the campaign and fairness counts what each person carried in it to date; null = a plan on its own',
      ),
    rollPolicy: rollPolicySchema.default(ROLL_POLICY_DEFAULTS),
    openShiftPolicy: openShiftPolicySchema.default(OPEN_SHIFT_POLICY_DEFAULTS),
  })
  .describe('A roster plan');

/** A parsed plan with every default filled in. */
export type PlanSpec = z.infer<typeof planSpecSchema>;
/** A plan as a client may send it (defaults optional). */
export type PlanSpecInput = z.input<typeof planSpecSchema>;
/** The plan's absence policy. */
export type AbsencePolicy = z.infer<typeof absencePolicySchema>;
/** The plan's hard rules. */
export type PlanRules = z.infer<typeof planRulesSchema>;
/** How the plan's horizon rolls. */
export type RollPolicy = z.infer<typeof rollPolicySchema>;
/** Which gaps are offered to whom. */
export type OpenShiftPolicy = z.infer<typeof openShiftPolicySchema>;
