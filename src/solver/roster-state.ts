/**
 * A roster under construction with O(window) rule checks. The greedy fill, the augmenting
 * search, the fairness repair, the pin checks, the gap explanations and the tests all ask
 * the same question through it: may this person take this slot now, and if not, which rule
 * says no?
 */
import type { Instance } from './instance.js';
import { Avail } from './instance.js';

/** A hard rule that can refuse a slot to a person. */
export type RuleName = 'availability' | 'busy' | 'minRest' | 'maxHoursPer24h' | 'weeklyHours' | 'consecutiveNights';

export class RosterState {
  /** gateAt[p * S + s] = gate index + 1, or 0 when free. */
  readonly gateAt: Int32Array;
  readonly load: Int32Array;
  readonly nights: Int32Array;
  /** filled[g * S + s] = people standing gate g in slot s. */
  readonly filled: Int32Array;
  /** leads[g * S + s] = village cadres among them. */
  readonly leads: Int32Array;
  readonly pinned: Set<number>;
  private readonly weekLoad: Int32Array;
  private readonly nightCount: Int32Array;
  private readonly weeks: number;
  private readonly nightDays: number;

  constructor(readonly inst: Instance) {
    const S = inst.slotCount;
    const P = inst.people.length;
    this.gateAt = new Int32Array(P * S);
    this.load = new Int32Array(P);
    this.nights = new Int32Array(P);
    this.filled = new Int32Array(inst.gates.length * S);
    this.leads = new Int32Array(inst.gates.length * S);
    this.pinned = new Set();
    this.weeks = inst.weeks;
    this.weekLoad = new Int32Array(P * this.weeks);
    // Night-day indexes run from -1 to days; shift by one.
    this.nightDays = inst.plan.days + 2;
    this.nightCount = new Int32Array(P * this.nightDays);
  }

  works(p: number, s: number): boolean {
    return (this.gateAt[p * this.inst.slotCount + s] ?? 0) > 0;
  }

  /** The first rule that refuses slot s to person p, or null if they may take it. */
  refusal(p: number, s: number): RuleName | null {
    const inst = this.inst;
    const S = inst.slotCount;
    if ((inst.avail[p * S + s] ?? Avail.No) === Avail.No) return 'availability';
    if (this.works(p, s)) return 'busy';
    for (let d = 1; d <= inst.restSpan; d++) {
      if ((s - d >= 0 && this.works(p, s - d)) || (s + d < S && this.works(p, s + d))) return 'minRest';
    }
    const w = inst.daySlots;
    for (let a = Math.max(0, s - w + 1); a <= s; a++) {
      let n = 1;
      for (let t = a; t < Math.min(S, a + w); t++) if (t !== s && this.works(p, t)) n++;
      if (n > inst.dayCapSlots) return 'maxHoursPer24h';
    }
    for (const edge of inst.edgeWindows.get(p) ?? []) {
      if (s < edge.from || s >= edge.to) continue;
      let n = 1;
      for (let t = edge.from; t < edge.to; t++) if (t !== s && this.works(p, t)) n++;
      if (n > edge.cap) return 'maxHoursPer24h';
    }
    const week = inst.slotWeek[s] ?? 0;
    if ((this.weekLoad[p * this.weeks + week] ?? 0) + 1 > (inst.weekCap[p * this.weeks + week] ?? 0)) return 'weeklyHours';
    const night = inst.slotNight[s];
    if (night !== null && night !== undefined && !this.worksNight(p, night)) {
      let run = 1;
      for (let d = night - 1; this.worksNight(p, d); d--) run++;
      for (let d = night + 1; this.worksNight(p, d); d++) run++;
      if (run > inst.maxNights) return 'consecutiveNights';
    }
    return null;
  }

  private worksNight(p: number, day: number): boolean {
    if (this.inst.fixedNights.get(p)?.has(day)) return true;
    if (day < -1 || day > this.inst.plan.days) return false;
    return (this.nightCount[p * this.nightDays + day + 1] ?? 0) > 0;
  }

  /** What p carries to date (the campaign's prior load plus this roster), in slots. */
  loadToDate(p: number): number {
    return (this.load[p] ?? 0) + (this.inst.priorLoad[p] ?? 0);
  }

  nightsToDate(p: number): number {
    return (this.nights[p] ?? 0) + (this.inst.priorNights[p] ?? 0);
  }

  place(p: number, g: number, s: number): void {
    const inst = this.inst;
    const S = inst.slotCount;
    this.gateAt[p * S + s] = g + 1;
    this.load[p]! += 1;
    this.weekLoad[p * this.weeks + (inst.slotWeek[s] ?? 0)]! += 1;
    this.filled[g * S + s]! += 1;
    if (inst.isLead[p]) this.leads[g * S + s]! += 1;
    const night = inst.slotNight[s];
    if (night !== null && night !== undefined) {
      this.nights[p]! += 1;
      this.nightCount[p * this.nightDays + night + 1]! += 1;
    }
  }

  remove(p: number, s: number): number {
    const inst = this.inst;
    const S = inst.slotCount;
    const g = (this.gateAt[p * S + s] ?? 0) - 1;
    if (g < 0) return -1;
    this.gateAt[p * S + s] = 0;
    this.load[p]! -= 1;
    this.weekLoad[p * this.weeks + (inst.slotWeek[s] ?? 0)]! -= 1;
    this.filled[g * S + s]! -= 1;
    if (inst.isLead[p]) this.leads[g * S + s]! -= 1;
    const night = inst.slotNight[s];
    if (night !== null && night !== undefined) {
      this.nights[p]! -= 1;
      this.nightCount[p * this.nightDays + night + 1]! -= 1;
    }
    return g;
  }

  /** Open places at gate g in slot s. */
  open(g: number, s: number): number {
    const S = this.inst.slotCount;
    return (this.inst.need[g * S + s] ?? 0) - (this.filled[g * S + s] ?? 0);
  }

  /** Places held by `people`, or by everyone. */
  placesHeld(people?: readonly number[]): number {
    if (!people) return this.load.reduce((a, b) => a + b, 0);
    let n = 0;
    for (const p of people) n += this.load[p] ?? 0;
    return n;
  }

  /** Would taking person p off (g, s) leave a lead-requiring gate without its only lead? */
  lastLead(p: number, g: number, s: number): boolean {
    const inst = this.inst;
    return inst.isLead[p] === true && inst.gates[g]?.leadRequired === true && (this.leads[g * inst.slotCount + s] ?? 0) <= 1;
  }

  slotsOf(p: number): number[] {
    const S = this.inst.slotCount;
    const out: number[] = [];
    for (let s = 0; s < S; s++) if (this.works(p, s)) out.push(s);
    return out;
  }
}
