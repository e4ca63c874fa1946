/**
 * Stage `villages`: each village's own people fill its gates. Construction first (one lead
 * per lead gate-shift, then time order, then ejection chains); a village is accepted without
 * an engine only when both its places meet the max-flow bound and its lead shortfalls meet
 * the lead bound (max-flow of its village cadres into its lead gate-shifts). Otherwise the
 * village's MILP runs, places first (its optimum is the village's proven maximum), leads
 * second. Where the lead stage ends above the flow lead bound, a leads-only MILP (no place
 * target) gives a tighter bound that is still valid for any roster, when nobody from outside
 * the village could lead there.
 */
import { freshBlock, type Block } from '../block.js';
import { solveBlock } from '../block-solve.js';
import { flowBound, leadFlowBound } from '../flow-bound.js';
import { augment, greedyFill } from '../greedy.js';
import { repairLeads } from '../lead.js';
import { leadShortfall, resolveWithMilp } from '../milp-stage.js';
import type { StageContext } from './context.js';
import { boxed, neededAt } from './context.js';
import { TaskLimiter } from './limiter.js';

/** Seconds one village's MILP may take before its incumbent is kept and the flow bound stands. */
const VILLAGE_BOX_SECONDS = 4;

export interface VillagesOutcome {
  /** Proven maximum of places each village's own people can fill (or its flow bound when not proven). */
  villageMax: Map<string, number>;
  /** Lower bound on each village's lead shortfalls, valid for any roster. */
  leadBound: Map<string, number>;
  /** Villages that needed the engine for places / for leads. */
  placeMilps: number;
  leadMilps: number;
}

export async function villagesStage(
  ctx: StageContext,
  blocks: Block[],
  outsideLeads: ReadonlySet<number>,
  progress: (f: number) => void,
): Promise<VillagesOutcome> {
  const { inst, state, engine } = ctx;
  const out: VillagesOutcome = { villageMax: new Map(), leadBound: new Map(), placeMilps: 0, leadMilps: 0 };
  // Villages share nobody: one village's engine work runs while the next one is built.
  const limiter = new TaskLimiter(engine.parallelism ?? 1);
  for (const [i, block] of blocks.entries()) {
    progress(i / blocks.length);
    const locals = new Set(block.people);
    const cache = new Map(block.gates.map((g) => [g, (inst.eligiblePeople[g] ?? []).filter((p) => locals.has(p))] as const));
    const of = (g: number): readonly number[] => cache.get(g) ?? [];
    greedyFill(state, block.gates, of);
    if (ctx.expired()) {
      // Out of time: a quick fill for every village still to come; its need is the (weak) bound.
      out.villageMax.set(block.name, neededAt(ctx, block.gates));
      out.leadBound.set(block.name, 0);
      continue;
    }
    augment(state, block.gates, of, 1, 3, ctx.deadlineAt);
    const placeBound = flowBound(inst, block.people, block.gates);
    // Deeper chains cost more than HiGHS's LP and neighbourhood need to prove a village; for
    // javascript-lp-solver, which refuses most short villages, they are the best there is.
    if (engine.name === 'jslp' && state.placesHeld(block.people) < placeBound) augment(state, block.gates, of, 2, 2, ctx.deadlineAt);
    const fill = state.placesHeld(block.people);
    const leadBound = leadFlowBound(inst, block.people, block.gates);
    if (leadShortfall(inst, state, block.gates) > leadBound) repairLeads(state, block.gates, of, ctx.deadlineAt);
    const placesOk = fill >= placeBound;
    const leadsOk = leadShortfall(inst, state, block.gates) <= leadBound;
    out.leadBound.set(block.name, leadBound);
    if ((placesOk && leadsOk) || ctx.expired()) {
      out.villageMax.set(block.name, placesOk ? fill : placeBound);
      continue;
    }
    if (!placesOk) out.placeMilps++;
    else out.leadMilps++;
    await limiter.submit(async () => {
      // The MILP stage proves places (the LP relaxation, its rounding, a neighbourhood, the
      // full model) and then the fewest leads given those places.
      const r = await resolveWithMilp(inst, state, block.people, block.gates, engine, {
        until: boxed(ctx, VILLAGE_BOX_SECONDS),
        name: block.name,
        coverageCap: placeBound,
        certify: true,
        leadsMet: leadsOk,
      });
      if (r.refused) ctx.notes.push(r.refused);
      out.villageMax.set(block.name, placesOk ? fill : (r.proven ?? placeBound));
      // A village only its own people can serve is filled to its maximum in every roster of
      // maximum cover, so the fewest leads given that maximum bounds its leads there. Where
      // others may serve, they may change which places are filled: then the leads-only
      // relaxation is the bound, when nobody from outside could lead here.
      const isolated = block.gates.every((g) => (inst.eligiblePeople[g] ?? []).every((p) => locals.has(p)));
      if (isolated && r.provenLeadShort !== null) out.leadBound.set(block.name, Math.max(leadBound, r.provenLeadShort));
      const ownLeads = !block.gates.some((g) => (inst.eligiblePeople[g] ?? []).some((p) => outsideLeads.has(p)));
      if (leadShortfall(inst, state, block.gates) > (out.leadBound.get(block.name) ?? 0) && ownLeads && !ctx.expired()) {
        out.leadBound.set(block.name, Math.max(leadBound, await leadsOnlyBound(ctx, block)));
      }
    });
  }
  await limiter.drain();
  return out;
}

/**
 * Fewest lead shortfalls the village's cadres can reach with no place target and no pins
 * (a relaxation of every roster), or 0 if the engine cannot prove it in its time box. When
 * the model's LP relaxation already reaches the village's current shortfalls, that is the
 * answer and no MILP runs.
 */
async function leadsOnlyBound(ctx: StageContext, block: Block): Promise<number> {
  const { inst } = ctx;
  const leads = block.people.filter((p) => inst.isLead[p] === true);
  const leadGates = block.gates.filter((g) => inst.gates[g]?.leadRequired === true);
  if (leads.length === 0 || leadGates.length === 0) return 0;
  const r = await solveBlock(inst, freshBlock(inst, `${block.name} leads`, leads, leadGates), ctx.engine, {
    deadlineAt: boxed(ctx, VILLAGE_BOX_SECONDS),
    fairness: inst.plan.fairness,
    coverageOnly: true,
    leadsOnly: true,
    leadCertifyAt: leadShortfall(inst, ctx.state, block.gates),
    ...(ctx.engine.name === 'jslp' ? { maxIntegers: 400 } : {}),
  });
  return (r.status === 'optimal' || r.status === 'certified') && r.provenLeadShort !== null ? r.provenLeadShort : 0;
}
