/** The solver's input, read as one consistent snapshot of the directory. */
import { readDirectoryConsistently } from '../directory/write-protocol.js';
import type { AvailabilityDoc, Models } from '../db/models.js';
import type { AvailabilityWindow, Cadre, Gate } from '../domain/types.js';

export interface DirectorySnapshot {
  gates: Gate[];
  cadres: Cadre[];
  availability: AvailabilityWindow[];
}

const FIELDS = { _id: 0, createdAt: 0, updatedAt: 0 } as const;

export function readSnapshot(models: Models): Promise<DirectorySnapshot> {
  return readDirectoryConsistently(models, async () => {
    const [gates, cadres, docs] = await Promise.all([
      models.Gate.find({}, FIELDS).lean<Gate[]>(),
      models.Cadre.find({}, FIELDS).lean<Cadre[]>(),
      models.Availability.find({}, FIELDS).lean<AvailabilityDoc[]>(),
    ]);
    const availability = docs.flatMap((doc) => doc.windows.map((w) => ({ cadreId: doc.cadreId, start: w.start, end: w.end, kind: w.kind })));
    return { gates, cadres, availability };
  });
}
