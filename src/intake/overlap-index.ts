/**
 * Intervals [start, end) added one at a time, asked at any point: which interval added so far
 * overlaps this one? A scan of every earlier interval made a file of one person's 20,000
 * windows cost minutes; this answers in O(log² n). Every start must be known up front (the
 * whole file is), so the index is a flat segment tree over the sorted starts, keeping the
 * latest end per subtree.
 */
export class OverlapIndex<T> {
  private readonly starts: number[];
  /** Per tree node: the latest end among the intervals added under it (-Infinity = none). */
  private readonly maxEnd: Float64Array;
  /** Per leaf (distinct start): the interval with the latest end. */
  private readonly items: (T | undefined)[];
  private readonly size: number;

  constructor(starts: Iterable<number>) {
    this.starts = [...new Set(starts)].sort((a, b) => a - b);
    this.size = Math.max(1, this.starts.length);
    this.maxEnd = new Float64Array(4 * this.size).fill(-Infinity);
    this.items = new Array<T | undefined>(this.size);
  }

  /** `start` must be one of the starts given to the constructor. */
  add(start: number, end: number, item: T): void {
    const leaf = lowerBound(this.starts, start);
    if (this.starts[leaf] !== start) throw new Error('OverlapIndex: unknown start');
    let node = 1;
    let [lo, hi] = [0, this.size];
    for (;;) {
      const latest = this.maxEnd[node] as number;
      this.maxEnd[node] = Math.max(latest, end);
      if (hi - lo === 1) {
        if (end > latest) this.items[leaf] = item;
        return;
      }
      const mid = (lo + hi) >> 1;
      [node, lo, hi] = leaf < mid ? [2 * node, lo, mid] : [2 * node + 1, mid, hi];
    }
  }

  /** The earliest-starting interval added so far that overlaps [start, end), if any. */
  firstOverlapping(start: number, end: number): T | undefined {
    // Overlap: it starts before `end` (a prefix of the sorted starts) and ends after `start`.
    return this.find(1, 0, this.size, lowerBound(this.starts, end), start);
  }

  private find(node: number, lo: number, hi: number, before: number, after: number): T | undefined {
    if (lo >= before || (this.maxEnd[node] as number) <= after) return undefined;
    if (hi - lo === 1) return this.items[lo];
    const mid = (lo + hi) >> 1;
    return this.find(2 * node, lo, mid, before, after) ?? this.find(2 * node + 1, mid, hi, before, after);
  }
}

/** The first index whose value is >= `value`. */
function lowerBound(sorted: number[], value: number): number {
  let [lo, hi] = [0, sorted.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
