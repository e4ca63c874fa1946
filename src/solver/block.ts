/**
 * A block: people and gates solved together in one model. People of one village only meet
 * that village's gates, so each village is a block of its own; people who span villages
 * (dispatched cadres, volunteers) form a second-stage block over the places villages left
 * empty. Each person belongs to exactly one block, so per-person rules never cross blocks.
 */
import type { Instance } from './instance.js';
import { Avail } from './instance.js';

export interface Block {
  name: string;
  people: number[];
  gates: number[];
  /** Places still open per block gate (same order as `gates`), slotCount entries each. */
  need: Int32Array[];
  /** Pinned (person, block-gate position, slot) that the model must keep. */
  pins: { p: number; gi: number; s: number }[];
  /** Per block gate and slot: a lead already stands there (placed by an earlier stage). */
  leadPresent?: Uint8Array[];
  /** A proven upper bound on places this block can fill (max-flow); added as a row so the
   * MILP can stop as soon as an incumbent reaches it instead of closing a fractional LP gap. */
  coverageCap?: number;
  /**
   * Proven caps on the places some of the block's people can fill whatever the others do (a
   * village's own people: the village's maximum), added as rows: valid for every roster, they
   * cut off LP points where those people fill fractionally more.
   */
  peopleCaps?: { label: string; people: readonly number[]; cap: number }[];
  /** Previous roster of this block's people: key p * slotCount + s -> gate index (instance). */
  previous: Map<number, number> | null;
}

/** A group: people of a block with the same reachable gates and the same lead ability. */
export interface Group {
  lead: boolean;
  /** Positions in block.gates. */
  gates: number[];
  people: number[];
}

export function groupsOf(inst: Instance, block: Block): Group[] {
  const pos = new Map(block.gates.map((g, i) => [g, i] as const));
  const byKey = new Map<string, Group>();
  for (const p of block.people) {
    const gates = (inst.eligibleGates[p] ?? []).flatMap((g) => {
      const i = pos.get(g);
      return i === undefined ? [] : [i];
    });
    const lead = inst.isLead[p] === true;
    const key = `${lead ? 'L' : 'N'}:${gates.join(',')}`;
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { lead, gates, people: [] }));
    group.people.push(p);
  }
  return [...byKey.values()];
}

/**
 * Split people into village blocks (everyone whose eligible gates lie in one village) and the
 * people who span villages. Gates of a village with no local people still get a block so
 * their need is accounted for.
 */
export function villageBlocks(inst: Instance): { blocks: Block[]; spanners: number[] } {
  const villageOfGate = inst.gates.map((g) => g.village);
  const gatesByVillage = new Map<string, number[]>();
  villageOfGate.forEach((v, g) => gatesByVillage.set(v, [...(gatesByVillage.get(v) ?? []), g]));
  const peopleByVillage = new Map<string, number[]>();
  const spanners: number[] = [];
  inst.people.forEach((_, p) => {
    const villages = new Set((inst.eligibleGates[p] ?? []).map((g) => villageOfGate[g]));
    if (villages.size === 0) return; // may serve no rostered gate: not part of any block
    if (villages.size > 1) {
      spanners.push(p);
      return;
    }
    const v = [...villages][0] as string;
    peopleByVillage.set(v, [...(peopleByVillage.get(v) ?? []), p]);
  });
  const blocks = [...gatesByVillage.entries()].map(([village, gates]) => freshBlock(inst, village, peopleByVillage.get(village) ?? [], gates));
  return { blocks, spanners };
}

/** One block holding everything: the monolithic model (benchmark comparison). */
export function wholeBlock(inst: Instance): Block {
  const people = inst.people.flatMap((_, p) => ((inst.eligibleGates[p]?.length ?? 0) > 0 ? [p] : []));
  return freshBlock(
    inst,
    'district',
    people,
    inst.gates.map((_, g) => g),
  );
}

/** `people` over `gates` with the gates' whole need: nothing placed, pinned or previous. */
export function freshBlock(inst: Instance, name: string, people: number[], gates: number[]): Block {
  const S = inst.slotCount;
  return { name, people, gates, need: gates.map((g) => inst.need.slice(g * S, (g + 1) * S)), pins: [], previous: null };
}

/** Places the plan needs at `gates`, over every slot. */
export function placesNeeded(inst: Instance, gates: readonly number[]): number {
  const S = inst.slotCount;
  let n = 0;
  for (const g of gates) for (let s = 0; s < S; s++) n += inst.need[g * S + s] ?? 0;
  return n;
}

/** Can person p work slot s for some gate of the block that still needs people? */
export function usefulSlot(inst: Instance, block: Block, group: Group, p: number, s: number): boolean {
  if ((inst.avail[p * inst.slotCount + s] ?? Avail.No) === Avail.No) return false;
  return group.gates.some((gi) => (block.need[gi]?.[s] ?? 0) > 0);
}
