/**
 * Inspection squads for the district sample: the 28 squads of Zhenhai (Dec 2021), most
 * kept to one town in proportion to its gates, a few free to go anywhere in the district
 * (the discipline office's own). Same gates in, same squads out.
 */
import type { Gate } from '../../src/domain/types.js';
import type { Squad } from '../../src/ground/visit-lists.js';

export function sampleSquads(gates: readonly Pick<Gate, 'town'>[], count = 28, districtWide = 4): Squad[] {
  const perTown = new Map<string, number>();
  for (const g of gates) perTown.set(g.town, (perTown.get(g.town) ?? 0) + 1);
  const towns = [...perTown.keys()];
  const townSquads = Math.max(towns.length, count - districtWide);
  // Largest remainder, at least one squad a town.
  const exact = towns.map((t) => ((perTown.get(t) as number) / gates.length) * townSquads);
  const seats = exact.map((x) => Math.max(1, Math.floor(x)));
  const byRemainder = towns
    .map((_, i) => i)
    .sort((a, b) => (exact[b] as number) - Math.floor(exact[b] as number) - ((exact[a] as number) - Math.floor(exact[a] as number)));
  for (let k = 0; seats.reduce((a, b) => a + b, 0) < townSquads; k++) {
    const i = byRemainder[k % byRemainder.length] as number;
    seats[i] = (seats[i] as number) + 1;
  }
  const squads: Squad[] = [];
  towns.forEach((town, i) => {
    for (let n = 1; n <= (seats[i] as number); n++) squads.push({ id: `SQ-${String(squads.length + 1).padStart(2, '0')}`, scope: [town] });
  });
  for (let n = 0; n < count - townSquads; n++) squads.push({ id: `SQ-${String(squads.length + 1).padStart(2, '0')}`, scope: 'district' });
  return squads;
}
