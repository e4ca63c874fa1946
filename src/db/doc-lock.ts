/**
 * Serialises writes to one document within this process.
 *
 * MongoDB applies each update atomically to its document. FerretDB 1.24 does not: it reads
 * the document, applies the update in Go and writes the whole document back, with no
 * transaction around the two, so two concurrent updates of one document can lose one (seen:
 * a late progress write put a finished solve back to `running`). Every conditional update
 * this service relies on (the per-plan solve lock, the job claim, the published-version
 * pointer, pins, progress) goes through here, which makes them correct for a single process
 * on the embedded database, and costs nothing on MongoDB. Several processes writing to one
 * FerretDB would need more than this (see the README).
 */
const tails = new Map<string, Promise<unknown>>();

export function withDocLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
