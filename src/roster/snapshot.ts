/** The solver's input, read as one consistent snapshot of the directory. */
import { directoryState, readDirectoryConsistently } from '../directory/write-protocol.js';
import type { AvailabilityDoc, Models } from '../db/models.js';
import { perDatabase } from '../db/per-database.js';
import type { AvailabilityWindow, Cadre, Gate } from '../domain/types.js';

export interface DirectorySnapshot {
  gates: Gate[];
  cadres: Cadre[];
  availability: AvailabilityWindow[];
}

const FIELDS = { _id: 0, createdAt: 0, updatedAt: 0 } as const;

/** The directory read afresh, with the revision the read was checked against. */
export function readSnapshot(models: Models): Promise<DirectorySnapshot & { revision: string }> {
  return readDirectoryConsistently(models, async (revision) => {
    const [gates, cadres, docs] = await Promise.all([
      models.Gate.find({}, FIELDS).lean<Gate[]>(),
      models.Cadre.find({}, FIELDS).lean<Cadre[]>(),
      models.Availability.find({}, FIELDS).lean<AvailabilityDoc[]>(),
    ]);
    const availability = docs.flatMap((doc) => doc.windows.map((w) => ({ cadreId: doc.cadreId, start: w.start, end: w.end, kind: w.kind })));
    return { gates, cadres, availability, revision };
  });
}

interface Held {
  /** Null while a read begun during a write has yet to be checked. */
  revision: string | null;
  read: Promise<DirectorySnapshot>;
}

const held = perDatabase((): { latest: Held | null } => ({ latest: null }));

/**
 * The directory as of `revision` (the current one when not given) or later, read once per
 * revision and shared by every reader of this process: the solves and the claim boards. A
 * directory of 375 gates and 3,000 people takes 0.6-0.9 s to read and changes only by upload,
 * and every upload moves the revision (write-protocol.ts), so what is held is never stale.
 * Readers must not change what they are given.
 */
export async function currentSnapshot(models: Models, revision?: string): Promise<DirectorySnapshot> {
  const cache = held(models);
  const asked = revision ?? (await directoryState(models));
  const wanted = typeof asked === 'string' ? asked : asked.writing ? null : asked.revision;
  if (wanted !== null && cache.latest?.revision === wanted) return cache.latest.read;
  const entry: Held = { revision: wanted, read: Promise.resolve({ gates: [], cadres: [], availability: [] }) };
  // Kept under the revision the read was checked against; a failure is not kept.
  entry.read = readSnapshot(models).then(
    ({ revision: checked, ...snapshot }) => {
      entry.revision = checked;
      return snapshot;
    },
    (error: unknown) => {
      if (cache.latest === entry) cache.latest = null;
      throw error;
    },
  );
  cache.latest = entry;
  return entry.read;
}
