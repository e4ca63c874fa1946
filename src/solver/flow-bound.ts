/**
 * An upper bound on fillable places by max-flow over a relaxation of the rules:
 *
 *   source -> person-week (weekly cap) -> person-day (24 h cap, aligned days)
 *          -> group-slot (1 per person and slot) -> gate-slot -> [village] -> sink (need)
 *
 * Every real roster is a flow here (it keeps the weekly cap, at most dayCap shifts in each
 * aligned 24 h day, one gate per slot), so the max flow bounds the best roster. Duty outside
 * the solve enters through the closed slots and the weekly caps it lowered (edges.ts); its
 * windows with room left are dropped, like the rest and night rules, so the bound can be loose on short-handed villages; those get the
 * exact coverage MILP instead. An optional cap per village (or town) turns it into the bound
 * on what people spanning villages (or towns) can add to the villages' (towns') own maxima.
 *
 * leadFlowBound is the same network for leads: village cadres into the gate-shifts that need
 * a lead, one each. Every roster's leads are such a flow, so (lead gate-shifts - max flow) is
 * a lower bound on lead shortfalls, whatever the places.
 */
import type { Instance } from './instance.js';
import { Avail, weekCapOf } from './instance.js';

class Dinic {
  private head: Int32Array;
  private to: number[] = [];
  private cap: number[] = [];
  private next: number[] = [];
  private level: Int32Array;
  private iter: Int32Array;
  constructor(readonly n: number) {
    this.head = new Int32Array(n).fill(-1);
    this.level = new Int32Array(n);
    this.iter = new Int32Array(n);
  }
  edge(a: number, b: number, c: number): void {
    if (c <= 0) return;
    for (const [u, v, w] of [
      [a, b, c],
      [b, a, 0],
    ] as const) {
      this.to.push(v);
      this.cap.push(w);
      this.next.push(this.head[u] as number);
      this.head[u] = this.to.length - 1;
    }
  }
  maxflow(s: number, t: number): number {
    let flow = 0;
    const queue = new Int32Array(this.n);
    for (;;) {
      this.level.fill(-1);
      this.level[s] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = s;
      while (qh < qt) {
        const u = queue[qh++] as number;
        for (let e = this.head[u] as number; e >= 0; e = this.next[e] as number) {
          const v = this.to[e] as number;
          if ((this.cap[e] as number) > 0 && (this.level[v] as number) < 0) {
            this.level[v] = (this.level[u] as number) + 1;
            queue[qt++] = v;
          }
        }
      }
      if ((this.level[t] as number) < 0) return flow;
      this.iter.set(this.head);
      for (let f = this.push(s, t, Infinity); f > 0; f = this.push(s, t, Infinity)) flow += f;
    }
  }
  private push(u: number, t: number, limit: number): number {
    if (u === t) return limit;
    for (let e = this.iter[u] as number; e >= 0; e = this.next[e] as number, this.iter[u] = e) {
      const v = this.to[e] as number;
      const c = this.cap[e] as number;
      if (c <= 0 || (this.level[v] as number) !== (this.level[u] as number) + 1) continue;
      const d = this.push(v, t, Math.min(limit, c));
      if (d > 0) {
        this.cap[e] = c - d;
        this.cap[e ^ 1] = (this.cap[e ^ 1] as number) + d;
        return d;
      }
    }
    return 0;
  }
}

export interface FlowBoundOptions {
  /** Cap on what may flow into each village's gates (by village name). */
  villageCap?: Map<string, number>;
  /** Like villageCap, for any grouping of gates (e.g. by town): group of a gate, cap per group. */
  groupCap?: { of: (g: number) => string; cap: Map<string, number> };
  /** Remaining need per gate-slot instead of the instance's (index g * slotCount + s). */
  need?: Int32Array;
}

export function flowBound(inst: Instance, people: readonly number[], gates: readonly number[], opts: FlowBoundOptions = {}): number {
  const S = inst.slotCount;
  const need = opts.need ?? inst.need;
  const gateSet = new Set(gates);
  const weeks = inst.weeks;
  const days = Math.ceil(S / inst.daySlots);
  // Nodes: 0 source, 1 sink, then gate-slots, village nodes, group-slots, person-weeks, person-days.
  const groupOf = opts.groupCap?.of ?? ((g: number) => inst.gates[g]?.village ?? '');
  const capOf = opts.groupCap?.cap ?? opts.villageCap;
  const villages = [...new Set(gates.map(groupOf))];
  const villageNode = new Map(villages.map((v, i) => [v, 2 + inst.gates.length * S + i] as const));
  const groupBase = 2 + inst.gates.length * S + villages.length;
  const groups = new Map<string, number>();
  const reaches: number[][] = [];
  const personGroup = new Map<number, number>();
  for (const p of people) {
    const reach = (inst.eligibleGates[p] ?? []).filter((g) => gateSet.has(g));
    if (reach.length === 0) continue;
    const key = reach.join(',');
    let k = groups.get(key);
    if (k === undefined) {
      groups.set(key, (k = reaches.length));
      reaches.push(reach);
    }
    personGroup.set(p, k);
  }
  const personBase = groupBase + reaches.length * S;
  const personList = [...personGroup.keys()];
  const personPos = new Map(personList.map((p, i) => [p, i] as const));
  const dayBase = personBase + personList.length * weeks;
  const flow = new Dinic(dayBase + personList.length * weeks * days);
  const groupSlotUsed = new Uint8Array(reaches.length * S);
  for (const [p, k] of personGroup) {
    const reach = reaches[k] as number[];
    const i = personPos.get(p) as number;
    const seenWeek = new Uint8Array(weeks);
    const seenDay = new Uint8Array(weeks * days);
    for (let s = 0; s < S; s++) {
      if (inst.avail[p * S + s] === Avail.No || !reach.some((g) => (need[g * S + s] ?? 0) > 0)) continue;
      const week = inst.slotWeek[s] ?? 0;
      const day = Math.floor(s / inst.daySlots);
      const pw = personBase + i * weeks + week;
      const pd = dayBase + (i * weeks + week) * days + day;
      if (!seenWeek[week]) {
        seenWeek[week] = 1;
        flow.edge(0, pw, weekCapOf(inst, p, week));
      }
      if (!seenDay[week * days + day]) {
        seenDay[week * days + day] = 1;
        flow.edge(pw, pd, inst.dayCapSlots);
      }
      flow.edge(pd, groupBase + k * S + s, 1);
      groupSlotUsed[k * S + s] = 1;
    }
  }
  const gateSlotUsed = new Uint8Array(inst.gates.length * S);
  reaches.forEach((reach, k) => {
    for (let s = 0; s < S; s++) {
      if (!groupSlotUsed[k * S + s]) continue;
      for (const g of reach) {
        if ((need[g * S + s] ?? 0) <= 0) continue;
        flow.edge(groupBase + k * S + s, 2 + g * S + s, Infinity);
        gateSlotUsed[g * S + s] = 1;
      }
    }
  });
  for (const g of gates) {
    const village = villageNode.get(groupOf(g)) as number;
    for (let s = 0; s < S; s++) {
      if (!gateSlotUsed[g * S + s]) continue;
      flow.edge(2 + g * S + s, capOf ? village : 1, need[g * S + s] ?? 0);
    }
  }
  if (capOf) for (const [v, node] of villageNode) flow.edge(node, 1, capOf.get(v) ?? 0);
  return flow.maxflow(0, 1);
}

/** Gate-shifts of `gates` that need a lead (need > 0 and the gate requires one). */
export function leadGateShifts(inst: Instance, gates: readonly number[]): number {
  const S = inst.slotCount;
  let n = 0;
  for (const g of gates) {
    if (!inst.gates[g]?.leadRequired) continue;
    for (let s = 0; s < S; s++) if ((inst.need[g * S + s] ?? 0) > 0) n++;
  }
  return n;
}

/** Lower bound on lead shortfalls at `gates` given the lead-capable among `people` (see above). */
export function leadFlowBound(inst: Instance, people: readonly number[], gates: readonly number[]): number {
  const S = inst.slotCount;
  const leadGates = gates.filter((g) => inst.gates[g]?.leadRequired === true);
  const total = leadGateShifts(inst, leadGates);
  if (total === 0) return 0;
  const need = new Int32Array(inst.gates.length * S);
  for (const g of leadGates) for (let s = 0; s < S; s++) if ((inst.need[g * S + s] ?? 0) > 0) need[g * S + s] = 1;
  const leads = people.filter((p) => inst.isLead[p] === true);
  return total - flowBound(inst, leads, leadGates, { need });
}
