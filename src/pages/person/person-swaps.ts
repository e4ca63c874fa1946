/**
 * The swaps part of `/me` (src/claims/swaps.ts): offers this person could take, with their
 * own upcoming shifts to give in return, and what became of the swaps they are in.
 */
import type { Models } from '../../db/models.js';
import { listSwaps, swapsOpenTo, type SwapRecord } from '../../claims/swaps.js';
import { displayNames } from '../display-names.js';
import { shiftLabel } from '../time-labels.js';

export interface OwnShift {
  planId: string;
  gateId: string;
  gateName: string;
  startMs: number;
  label: { date: string; hours: string };
}

export async function personSwaps(models: Models, cadreId: string, now: Date, timeZone: string, own: readonly OwnShift[]) {
  const [open, mine] = await Promise.all([swapsOpenTo(models, cadreId, now), listSwaps(models, { villages: null, cadreId }, now)]);
  const live = mine.filter((s) => s.end.getTime() > now.getTime());
  const all = [...open, ...live];
  const names = await displayNames(models, { gates: all.map((s) => s.gateId), people: all.flatMap((s) => [s.fromCadreId, s.takerCadreId ?? '']) });
  const view = (s: SwapRecord) => ({
    ...s,
    gateName: names.gate(s.gateId),
    fromName: names.person(s.fromCadreId),
    takerName: s.takerCadreId ? names.person(s.takerCadreId) : null,
    label: shiftLabel(s.start, s.end, timeZone),
    mine: s.fromCadreId === cadreId,
    // What may go back: the person's own shifts of the same plan, not the offered one's time.
    giveBack: own.filter((o) => o.planId === s.planId && o.startMs !== s.start.getTime() && o.startMs > now.getTime()),
  });
  return { openSwaps: open.map(view), mySwaps: live.map(view) };
}
