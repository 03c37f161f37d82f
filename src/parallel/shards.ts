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
 *
 * `coordinatorHandicap` is other work the coordinator does while the replicas compute
 * their shards, in training-example equivalents: the coordinator then takes that many
 * fewer examples' worth, so all threads finish together. Negative when the replicas do
 * more outside their shards than the coordinator (the dashboard's validation probes,
 * done by a replica while the coordinator updates): the coordinator then takes more.
 * Still a pure function of its arguments, so the split stays reproducible.
 */
export function shardRanges(count: number, replicas: number, coordinatorHandicap = 0): ShardRange[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`shardRanges: count must be a whole number, got ${count}`);
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new RangeError(`shardRanges: replicas must be a positive whole number, got ${replicas}`);
  }
  if (!Number.isFinite(coordinatorHandicap)) {
    throw new RangeError(`shardRanges: coordinatorHandicap must be a finite number, got ${coordinatorHandicap}`);
  }
  const ranges: ShardRange[] = [];
  if (coordinatorHandicap === 0 || replicas === 1) {
    for (let r = 0; r < replicas; r++) {
      ranges.push({ start: Math.floor((r * count) / replicas), end: Math.floor(((r + 1) * count) / replicas) });
    }
    return ranges;
  }
  // Every thread's share of (examples + handicap); the coordinator's examples are its share less the handicap.
  const share = Math.floor((count + coordinatorHandicap) / replicas - coordinatorHandicap);
  const own = Math.min(count, Math.max(0, share));
  const rest = count - own;
  const others = replicas - 1;
  ranges.push({ start: 0, end: own });
  for (let r = 0; r < others; r++) {
    ranges.push({ start: own + Math.floor((r * rest) / others), end: own + Math.floor(((r + 1) * rest) / others) });
  }
  return ranges;
}
