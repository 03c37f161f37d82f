/**
 * Which examples of a mini-batch each replica computes: contiguous, nearly equal ranges in
 * replica order (replica 0, the coordinator, first). A pure function of (count, replicas),
 * so one seed and one worker count always split every batch the same way and the gradient
 * sums always add up in the same order: a run is reproducible for a given worker count.
 */
export interface ShardRange {
  /** First example of the shard (an index into the batch). */
  start: number;
  /** One past the last example. */
  end: number;
}

/**
 * Splits `count` examples over `replicas`. Range r is [floor(r*count/replicas),
 * floor((r+1)*count/replicas)): when the count does not divide evenly, the later replicas
 * get the extra examples, so the coordinator (which also sums and updates) gets the least.
 */
export function shardRanges(count: number, replicas: number): ShardRange[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`shardRanges: count must be a whole number, got ${count}`);
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new RangeError(`shardRanges: replicas must be a positive whole number, got ${replicas}`);
  }
  const ranges: ShardRange[] = [];
  for (let r = 0; r < replicas; r++) {
    ranges.push({ start: Math.floor((r * count) / replicas), end: Math.floor(((r + 1) * count) / replicas) });
  }
  return ranges;
}
