/**
 * One builder per rule family. Together they turn a block into an engine-neutral model:
 *
 * - y[p,s] (binary): person p works slot s, at some gate of their group;
 * - z[k,g,s] (integer): how many people of group k stand gate g in slot s.
 *
 * People of a group are interchangeable at the gates (same reachable gates, same lead
 * ability), so who-stands-which-gate is recovered after the solve; per-person rules only
 * touch y. This aggregation shrinks the model by the number of gates a person may serve,
 * which is what makes the district solvable in seconds.
 */
import type { Block, Group } from './block.js';
import { usefulSlot } from './block.js';
import type { Instance } from './instance.js';
import { weekCapOf } from './instance.js';
import { ModelBuilder } from './model.js';

export interface BlockModel {
  builder: ModelBuilder;
  groups: Group[];
  /** key p * slotCount + s -> variable. */
  y: Map<number, number>;
  /** key (k * gates + gi) * slotCount + s -> variable. */
  z: Map<number, number>;
  /** Lead shortfall per (gi, s) of gates needing a lead. */
  leadShort: Map<number, number>;
  /** Slots of each person's y variables, in time order. */
  slotsOf: Map<number, number[]>;
}

export function decisionVariables(inst: Instance, block: Block, groups: Group[]): BlockModel {
  const b = new ModelBuilder('max');
  const S = inst.slotCount;
  const G = block.gates.length;
  const y = new Map<number, number>();
  const z = new Map<number, number>();
  const slotsOf = new Map<number, number[]>();
  groups.forEach((group, k) => {
    const staffed = new Set<number>();
    for (const p of group.people) {
      const slots: number[] = [];
      for (let s = 0; s < S; s++) {
        if (!usefulSlot(inst, block, group, p, s)) continue;
        y.set(p * S + s, b.addVar(0, 1, true));
        slots.push(s);
        staffed.add(s);
      }
      slotsOf.set(p, slots);
    }
    for (const gi of group.gates) {
      const need = block.need[gi] as Int32Array;
      for (let s = 0; s < S; s++) {
        const n = need[s] as number;
        if (n > 0 && staffed.has(s)) z.set((k * G + gi) * S + s, b.addVar(0, Math.min(n, group.people.length), true));
      }
    }
  });
  return { builder: b, groups, y, z, leadShort: new Map(), slotsOf };
}

/** Everyone working a slot stands some gate of their group: sum_g z[k,g,s] = sum_p y[p,s]. */
export function linkRows(inst: Instance, block: Block, m: BlockModel): void {
  const S = inst.slotCount;
  const G = block.gates.length;
  m.groups.forEach((group, k) => {
    for (let s = 0; s < S; s++) {
      const vars: number[] = [];
      const coefs: number[] = [];
      for (const gi of group.gates) {
        const v = m.z.get((k * G + gi) * S + s);
        if (v !== undefined) {
          vars.push(v);
          coefs.push(1);
        }
      }
      for (const p of group.people) {
        const v = m.y.get(p * S + s);
        if (v !== undefined) {
          vars.push(v);
          coefs.push(-1);
        }
      }
      if (vars.length) m.builder.addRow(`link:k${k}:s${s}`, vars, coefs, 0, 0);
    }
  });
}

/** No gate-shift gets more people than it needs. */
export function coverageRows(inst: Instance, block: Block, m: BlockModel): number[] {
  const S = inst.slotCount;
  const G = block.gates.length;
  const all: number[] = [];
  block.gates.forEach((_, gi) => {
    for (let s = 0; s < S; s++) {
      const vars = m.groups.flatMap((_, k) => {
        const v = m.z.get((k * G + gi) * S + s);
        return v === undefined ? [] : [v];
      });
      all.push(...vars);
      if (vars.length > 1) m.builder.atMost(`coverage:g${gi}:s${s}`, vars, block.need[gi]?.[s] ?? 0);
    }
  });
  return all;
}

/**
 * A gate needing a lead gets at least one village cadre per shift, or a shortfall variable
 * takes the difference (the shortfall is a gap of its own kind, minimised right after coverage).
 */
export function leadRows(inst: Instance, block: Block, m: BlockModel): void {
  const S = inst.slotCount;
  const G = block.gates.length;
  block.gates.forEach((g, gi) => {
    if (!inst.gates[g]?.leadRequired) return;
    for (let s = 0; s < S; s++) {
      if ((block.need[gi]?.[s] ?? 0) <= 0 || (block.leadPresent?.[gi]?.[s] ?? 0) > 0) continue;
      const short = m.builder.addVar(0, 1, true);
      m.leadShort.set(gi * S + s, short);
      const vars = [short];
      m.groups.forEach((group, k) => {
        const v = m.z.get((k * G + gi) * S + s);
        if (group.lead && v !== undefined) vars.push(v);
      });
      m.builder.addRow(
        `lead:g${gi}:s${s}`,
        vars,
        vars.map(() => 1),
        1,
        Infinity,
      );
    }
  });
}

/** Minimum rest: two shifts of one person at least restSpan + 1 slots apart. */
export function restRows(inst: Instance, m: BlockModel): void {
  // With a 24 h cap of one shift, the 24 h windows already contain every rest window.
  if (inst.restSpan === 0 || (inst.dayCapSlots <= 1 && inst.daySlots > inst.restSpan)) return;
  slidingWindows(inst, m, 'rest', inst.restSpan + 1, 1);
}

/**
 * At most maxHoursPer24h in any 24 h: windows of daySlots consecutive slots, and the windows
 * that also hold duty outside the solve (edges.ts) with what that duty leaves.
 */
export function dayHoursRows(inst: Instance, m: BlockModel): void {
  slidingWindows(inst, m, 'hours24h', inst.daySlots, inst.dayCapSlots);
  const S = inst.slotCount;
  for (const [p, slots] of m.slotsOf) {
    for (const edge of inst.edgeWindows.get(p) ?? []) {
      const inWindow = slots.filter((t) => t >= edge.from && t < edge.to);
      if (inWindow.length > edge.cap)
        m.builder.atMost(
          `hours24hEdge:p${p}:s${edge.from}-${edge.to}`,
          inWindow.map((t) => m.y.get(p * S + t) as number),
          edge.cap,
        );
    }
  }
}

function slidingWindows(inst: Instance, m: BlockModel, rule: string, width: number, cap: number): void {
  const S = inst.slotCount;
  for (const [p, slots] of m.slotsOf) {
    let last = '';
    for (let s = 0; s < S; s++) {
      const inWindow = slots.filter((t) => t >= s && t < s + width);
      if (inWindow.length <= cap) continue;
      const key = inWindow.join(',');
      if (key === last) continue;
      last = key;
      m.builder.atMost(
        `${rule}:p${p}:s${s}`,
        inWindow.map((t) => m.y.get(p * S + t) as number),
        cap,
      );
    }
  }
}

/**
 * Weekly cap per 7-day block from the week anchor, the plan start or a campaign's start (a
 * plan of 10 days has a second, 3-day block with the full cap: a cap per calendar week would
 * cut weeks the planner never drew); duty outside the solve in a block lowers its cap.
 */
export function weeklyHoursRows(inst: Instance, m: BlockModel): void {
  const S = inst.slotCount;
  for (const [p, slots] of m.slotsOf) {
    const byWeek = new Map<number, number[]>();
    for (const s of slots) byWeek.set(inst.slotWeek[s] ?? 0, [...(byWeek.get(inst.slotWeek[s] ?? 0) ?? []), m.y.get(p * S + s) as number]);
    for (const [week, vars] of byWeek) {
      const cap = weekCapOf(inst, p, week);
      if (vars.length > cap) m.builder.atMost(`weeklyHours:p${p}:w${week}`, vars, cap);
    }
  }
}

/**
 * At most maxConsecutiveNights nights in a row (a night = a shift overlapping 00:00-06:00);
 * nights worked outside the solve count in every run they belong to.
 */
export function nightRows(inst: Instance, m: BlockModel): void {
  const S = inst.slotCount;
  const N = inst.maxNights;
  for (const [p, slots] of m.slotsOf) {
    const fixed = inst.fixedNights.get(p);
    const byNight = new Map<number, number[]>();
    for (const s of slots) {
      const d = inst.slotNight[s];
      // A night already worked elsewhere adds nothing to a run.
      if (d === null || d === undefined || fixed?.has(d)) continue;
      byNight.set(d, [...(byNight.get(d) ?? []), m.y.get(p * S + s) as number]);
    }
    if (fixed) {
      nightRowsWithFixed(m, p, byNight, fixed, N);
      continue;
    }
    if (byNight.size <= N) continue;
    const worked = nightIndicators(m, p, byNight);
    const days = [...worked.keys()].sort((a, b) => a - b);
    for (const d of days) {
      const run = days.filter((e) => e >= d && e <= d + N).map((e) => worked.get(e) as number);
      if (run.length > N) m.builder.atMost(`consecutiveNights:p${p}:d${d}`, run, N);
    }
  }
}

/** The night rule for a person with fixed nights: every run of N + 1 night-days that holds one of the solve's nights. */
function nightRowsWithFixed(m: BlockModel, p: number, byNight: Map<number, number[]>, fixed: ReadonlySet<number>, N: number): void {
  const worked = nightIndicators(m, p, byNight);
  const starts = new Set<number>();
  for (const d of worked.keys()) for (let j = 0; j <= N; j++) starts.add(d - j);
  const seen = new Set<string>();
  for (const d of [...starts].sort((a, b) => a - b)) {
    const days = [...worked.keys()].filter((e) => e >= d && e <= d + N);
    let fixedIn = 0;
    for (let e = d; e <= d + N; e++) if (fixed.has(e)) fixedIn++;
    if (days.length + fixedIn <= N) continue;
    const key = days.join(',') + '|' + fixedIn;
    if (seen.has(key)) continue;
    seen.add(key);
    m.builder.atMost(
      `consecutiveNights:p${p}:d${d}`,
      days.map((e) => worked.get(e) as number),
      Math.max(0, N - fixedIn),
    );
  }
}

/** One indicator per night worked; with one night slot a day it is that slot's y. */
function nightIndicators(m: BlockModel, p: number, byNight: Map<number, number[]>): Map<number, number> {
  const worked = new Map<number, number>();
  for (const [d, vars] of byNight) {
    if (vars.length === 1) worked.set(d, vars[0] as number);
    else {
      const w = m.builder.addVar(0, 1, false);
      for (const v of vars) m.builder.addRow(`nightWorked:p${p}:d${d}`, [w, v], [1, -1], 0, Infinity);
      worked.set(d, w);
    }
  }
  return worked;
}

/** Each person works one place per slot worked: the places of a set of people are the sum of their y. */
export function peopleCapRows(inst: Instance, block: Block, m: BlockModel): void {
  const S = inst.slotCount;
  for (const { label, people, cap } of block.peopleCaps ?? []) {
    const vars = people.flatMap((p) => (m.slotsOf.get(p) ?? []).map((s) => m.y.get(p * S + s) as number));
    if (vars.length > cap) m.builder.atMost(label, vars, cap);
  }
}

/** Pins fix y to 1 and reserve their gate in z. */
export function pinBounds(inst: Instance, block: Block, m: BlockModel): void {
  const S = inst.slotCount;
  const G = block.gates.length;
  for (const pin of block.pins) {
    const y = m.y.get(pin.p * S + pin.s);
    const k = m.groups.findIndex((g) => g.people.includes(pin.p));
    const z = m.z.get((k * G + pin.gi) * S + pin.s);
    if (y === undefined || z === undefined) continue; // pre-checked: cannot happen for accepted pins
    const vars = m.builder.model.variables;
    (vars[y] as { lb: number }).lb = 1;
    (vars[z] as { lb: number }).lb += 1;
  }
}

/** Build the full hard-rule model of a block. */
export function buildBlockModel(inst: Instance, block: Block, groups: Group[]): BlockModel {
  const m = decisionVariables(inst, block, groups);
  linkRows(inst, block, m);
  const places = coverageRows(inst, block, m);
  if (block.coverageCap !== undefined) m.builder.atMost('flowBound', places, block.coverageCap);
  peopleCapRows(inst, block, m);
  leadRows(inst, block, m);
  restRows(inst, m);
  dayHoursRows(inst, m);
  weeklyHoursRows(inst, m);
  nightRows(inst, m);
  pinBounds(inst, block, m);
  return m;
}
