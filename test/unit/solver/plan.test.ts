import { describe, expect, it } from 'vitest';
import { planSpecSchema } from '../../../src/domain/plan.js';

describe('planSpecSchema', () => {
  it('when only start and days are given, then every default from the issue is filled in', () => {
    const plan = planSpecSchema.parse({ start: '2021-12-13', days: 7 });
    expect(plan).toEqual({
      start: '2021-12-13',
      days: 7,
      timezone: 'Asia/Shanghai',
      shiftHours: 8,
      firstShiftStart: '00:00',
      rules: { minRestHours: 8, maxHoursPer24h: 12, maxHoursPerWeek: 48, maxConsecutiveNights: 3 },
      fairness: 'equal',
      absencePolicy: { selfReportNeedsAcceptance: false, minLeadHours: 2, publishFillInsWithinHours: 48 },
      campaignId: null,
      rollPolicy: { freezeHours: 24, publish: 'publish', dailyAt: null },
      openShiftPolicy: { offerWithinHours: 48, holdForOutsidersMinutes: 0, swapsNeedApproval: false },
    });
  });

  it('when one absence-policy field is given, then the others keep their defaults; a negative lead time is refused by name', () => {
    const plan = planSpecSchema.parse({ start: '2021-12-13', days: 7, absencePolicy: { selfReportNeedsAcceptance: true } });
    expect(plan.absencePolicy).toEqual({ selfReportNeedsAcceptance: true, minLeadHours: 2, publishFillInsWithinHours: 48 });
    const bad = planSpecSchema.safeParse({ start: '2021-12-13', days: 7, absencePolicy: { minLeadHours: -1 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['absencePolicy', 'minLeadHours']);
  });

  it('when one rule is changed, then the other rules keep their defaults', () => {
    const plan = planSpecSchema.parse({ start: '2021-12-13', days: 7, rules: { minRestHours: 12 } });
    expect(plan.rules).toEqual({ minRestHours: 12, maxHoursPer24h: 12, maxHoursPerWeek: 48, maxConsecutiveNights: 3 });
  });

  it('when shifts are 5 h long, a day count is 32, or the start is not a date, then the plan is rejected', () => {
    expect(planSpecSchema.safeParse({ start: '2021-12-13', days: 7, shiftHours: 5 }).success).toBe(false);
    expect(planSpecSchema.safeParse({ start: '2021-12-13', days: 32 }).success).toBe(false);
    expect(planSpecSchema.safeParse({ start: '2021-02-30', days: 7 }).success).toBe(false);
    expect(planSpecSchema.safeParse({ start: '2021-12-13', days: 7, timezone: 'Mars/Base' }).success).toBe(false);
  });

  it('when 12 h and 4 h shifts are asked for, then they are accepted', () => {
    expect(planSpecSchema.parse({ start: '2021-12-13', days: 1, shiftHours: 12 }).shiftHours).toBe(12);
    expect(planSpecSchema.parse({ start: '2021-12-13', days: 1, shiftHours: 4, firstShiftStart: '02:00' }).firstShiftStart).toBe('02:00');
  });
});
