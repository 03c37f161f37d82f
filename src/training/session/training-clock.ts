/**
 * The run's training time: wall time while the run is running and training is not
 * waiting for a test-set evaluation (which has the workers first, or, on one thread, its
 * share of each slice). What "seconds of training" means in the stats and in
 * `npm run bench:browser`'s time to accuracy.
 */
export class TrainingClock {
  private totalMs = 0;
  /** Clock time since which it counts, or null while stopped. */
  private since: number | null = null;

  constructor(private readonly now: () => number) {}

  /** Counts from now on when `counting`, else stops (the time up to now stays counted). */
  set(counting: boolean): void {
    const now = this.now();
    if (this.since !== null) this.totalMs += now - this.since;
    this.since = counting ? now : null;
  }

  /** Milliseconds counted so far. */
  get ms(): number {
    return this.totalMs + (this.since === null ? 0 : this.now() - this.since);
  }

  /** A new run: nothing counted yet; counting goes on if it was. */
  reset(): void {
    this.totalMs = 0;
    if (this.since !== null) this.since = this.now();
  }
}
