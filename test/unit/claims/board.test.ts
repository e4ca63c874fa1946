/**
 * Who may claim an open place, rule by rule, each on a hand-made board: one day (or two) of
 * 8 h shifts in Asia/Shanghai, a few gates and people, a roster put down as published.
 */
import { describe, expect, it } from 'vitest';
import { assembleBoard, openPlaces, whyNot, type ClaimBoard } from '../../../src/claims/board.js';
import { heldFrom } from '../../../src/claims/open-shifts.js';
import { planSpecSchema, type PlanSpecInput } from '../../../src/domain/plan.js';
import type { Assignment, Gap } from '../../../src/domain/roster.js';
import type { AvailabilityWindow, Cadre, Gate } from '../../../src/domain/types.js';
import type { PublishedRoster } from '../../../src/roster/publish.js';
import type { SolveContext, SolveMetrics } from '../../../src/solver/index.js';

const H = 3_600_000;
/** 2021-12-13 00:00 in Asia/Shanghai: slots 0-2 on day one, 3-5 on day two. */
const T0 = Date.parse('2021-12-12T16:00:00Z');
const slot = (s: number) => new Date(T0 + s * 8 * H);

const gate = (id: string, village: string, extra: Partial<Gate> = {}): Gate => ({
  id,
  name: id,
  village,
  town: 'T',
  staffPerShift: 1,
  coverFrom: '00:00',
  coverTo: '24:00',
  activeFrom: null,
  activeTo: null,
  leadRequired: false,
  ...extra,
});
const person = (id: string, village: string, extra: Partial<Cadre> = {}): Cadre => ({
  id,
  name: id,
  phone: null,
  role: 'volunteer',
  village,
  serves: [],
  maxHoursWeek: null,
  nightOk: true,
  ...extra,
});
const on = (cadreId: string, gateId: string, s: number): Assignment => ({ cadreId, gateId, start: slot(s), end: slot(s + 1), pinned: false });

interface Setup {
  gates?: Gate[];
  people?: Cadre[];
  assignments?: Assignment[];
  availability?: AvailabilityWindow[];
  context?: SolveContext;
  plan?: Partial<PlanSpecInput>;
}

/** A board whose gaps are every open place of the gates (as a solve would report them). */
function board(setup: Setup = {}): ClaimBoard {
  const gates = setup.gates ?? [gate('G1', 'V1'), gate('G2', 'V2')];
  const people = setup.people ?? [person('P1', 'V1')];
  const spec = planSpecSchema.parse({
    start: '2021-12-13',
    days: 1,
    rules: { minRestHours: 8, maxHoursPer24h: 16, maxHoursPerWeek: 48, maxConsecutiveNights: 3 },
    ...setup.plan,
  });
  const assignments = setup.assignments ?? [];
  const gaps: Gap[] = [];
  for (const g of gates) {
    for (let s = 0; s < spec.days * 3; s++) {
      const filled = assignments.filter((a) => a.gateId === g.id && a.start.getTime() === slot(s).getTime()).length;
      if (filled < g.staffPerShift)
        gaps.push({ gateId: g.id, start: slot(s), end: slot(s + 1), needed: g.staffPerShift, filled, reason: 'no_one_available', detail: '', detailZh: '' });
    }
  }
  const roster: PublishedRoster = {
    solveId: 's1',
    planId: 'p1',
    timezone: spec.timezone,
    assignments,
    gaps,
    pinConflicts: [],
    metrics: { placesFilled: assignments.length } as SolveMetrics,
    gates,
    cadres: people.map(({ phone: _phone, ...c }) => c),
    publication: { planId: 'p1', version: 1, solveId: 's1', publishedAt: new Date(T0 - 48 * H), publishedBy: 'test' },
  };
  return assembleBoard({
    planName: 'p',
    spec,
    roster,
    key: 'k',
    cadres: people,
    availability: setup.availability ?? [],
    context: setup.context ?? { fixedDuty: [], weekAnchor: spec.start },
  });
}

const at = (b: ClaimBoard, gateId: string, s: number) => [b.inst.gateIndex.get(gateId) as number, s] as const;
const why = (b: ClaimBoard, cadreId: string, gateId: string, s: number) => whyNot(b, cadreId, ...at(b, gateId, s))?.code ?? null;

describe('who may claim an open place', () => {
  it('anyone of the village with nothing against them', () => {
    expect(why(board(), 'P1', 'G1', 1)).toBeNull();
  });

  it('locality: not a gate of their village or of a place they serve', () => {
    expect(why(board(), 'P1', 'G2', 1)).toBe('locality');
    expect(why(board({ people: [person('P1', 'V1', { serves: ['V2'] })] }), 'P1', 'G2', 1)).toBeNull();
  });

  it('availability: an unavailable window over the shift', () => {
    const b = board({ availability: [{ cadreId: 'P1', start: slot(1), end: slot(2), kind: 'unavailable' }] });
    expect(why(b, 'P1', 'G1', 1)).toBe('availability');
    expect(why(b, 'P1', 'G1', 2)).toBeNull();
  });

  it('nights: a person who takes no nights, on the 00:00-08:00 shift', () => {
    const b = board({ people: [person('P1', 'V1', { nightOk: false })] });
    expect(why(b, 'P1', 'G1', 0)).toBe('night');
    expect(why(b, 'P1', 'G1', 1)).toBeNull();
  });

  it('busy: already on duty at another gate then', () => {
    const b = board({ gates: [gate('G1', 'V1'), gate('G3', 'V1')], assignments: [on('P1', 'G3', 1)] });
    expect(why(b, 'P1', 'G1', 1)).toBe('busy');
  });

  it('rest: the shift next to one they work leaves no rest', () => {
    const b = board({ assignments: [on('P1', 'G1', 0)] });
    expect(why(b, 'P1', 'G1', 1)).toBe('min_rest');
    expect(why(b, 'P1', 'G1', 2)).toBeNull();
  });

  it('24 h cap: a second shift inside 24 h over the cap', () => {
    const b = board({
      assignments: [on('P1', 'G1', 0)],
      plan: { rules: { minRestHours: 0, maxHoursPer24h: 8, maxHoursPerWeek: 48, maxConsecutiveNights: 3 } },
    });
    expect(why(b, 'P1', 'G1', 2)).toBe('max_hours_24h');
  });

  it('weekly cap: the person’s own cap reached', () => {
    const b = board({ people: [person('P1', 'V1', { maxHoursWeek: 8 })], assignments: [on('P1', 'G1', 0)] });
    expect(why(b, 'P1', 'G1', 2)).toBe('weekly_hours');
  });

  it('consecutive nights: a second night in a row over the limit', () => {
    const b = board({
      assignments: [on('P1', 'G1', 0)],
      plan: { days: 2, rules: { minRestHours: 8, maxHoursPer24h: 16, maxHoursPerWeek: 48, maxConsecutiveNights: 1 } },
    });
    expect(why(b, 'P1', 'G1', 3)).toBe('consecutive_nights');
  });

  it('duty in another plan: overlapping shift, or too little rest next to it', () => {
    const b = board({ context: { fixedDuty: [{ cadreId: 'P1', start: slot(1), end: slot(2) }], weekAnchor: '2021-12-13' } });
    expect(why(b, 'P1', 'G1', 1)).toBe('other_plan');
    expect(why(b, 'P1', 'G1', 2)).toBe('other_plan');
  });

  it('taken: no place left at the gate-shift', () => {
    const b = board({ people: [person('P1', 'V1'), person('P2', 'V1')], assignments: [on('P2', 'G1', 1)] });
    expect(openPlaces(b, 0, Infinity).some((p) => p.s === 1 && p.g === 0)).toBe(false);
    expect(why(b, 'P1', 'G1', 1)).toBe('taken');
  });

  it('lead: the last place of a gate needing a village cadre waits for one while one could take it', () => {
    const lead = gate('GL', 'V1', { staffPerShift: 2, leadRequired: true });
    const withCadre = board({
      gates: [lead],
      people: [person('P1', 'V1'), person('P2', 'V1'), person('C1', 'V1', { role: 'village_cadre' })],
      assignments: [on('P2', 'GL', 1)],
    });
    expect(why(withCadre, 'P1', 'GL', 1)).toBe('lead');
    expect(why(withCadre, 'C1', 'GL', 1)).toBeNull();
    // With two places open a volunteer may take one: the other is still there for a lead.
    expect(why(board({ gates: [lead], people: [person('P1', 'V1'), person('C1', 'V1', { role: 'village_cadre' })] }), 'P1', 'GL', 1)).toBeNull();
    // No village cadre could take it: cover comes first, as in a solve.
    const cadreAway = board({
      gates: [lead],
      people: [person('P1', 'V1'), person('P2', 'V1'), person('C1', 'V1', { role: 'village_cadre' })],
      assignments: [on('P2', 'GL', 1)],
      availability: [{ cadreId: 'C1', start: slot(0), end: slot(3), kind: 'unavailable' }],
    });
    expect(why(cadreAway, 'P1', 'GL', 1)).toBeNull();
  });

  it('hold: village cadres see a place only after the policy’s minutes; volunteers at once', () => {
    const b = board({
      people: [person('P1', 'V1'), person('C1', 'V1', { role: 'village_cadre' })],
      plan: { openShiftPolicy: { offerWithinHours: 48, holdForOutsidersMinutes: 30 } },
    });
    const place = openPlaces(b, 0, Infinity).find((p) => p.s === 2) as NonNullable<ReturnType<typeof openPlaces>[number]>;
    // Offered since the window reached it (48 h before its start; published earlier still).
    const since = place.gap.start.getTime() - 48 * H;
    expect(heldFrom(b, 'C1', place, since + 10 * 60_000)?.code).toBe('held');
    expect(heldFrom(b, 'C1', place, since + 31 * 60_000)).toBeNull();
    expect(heldFrom(b, 'P1', place, since + 10 * 60_000)).toBeNull();
  });

  it('people who left the directory hold their shifts but may not claim', () => {
    const b = board({ people: [person('P1', 'V1')] });
    expect(why(b, 'GONE', 'G1', 1)).toBe('unknown_person');
  });
});
