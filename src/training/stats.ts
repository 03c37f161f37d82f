/**
 * Moving-window statistics for the training view, as the original demo kept them
 * (ConvNetJS's cnnutil.Window): the mean of the last `size` values, reported only once
 * `minSize` values are in, so a fresh run does not show an accuracy of 100% after one example.
 */
export class MovingWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(
    readonly size: number,
    readonly minSize: number = Math.min(20, size),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`window size must be a positive integer, got ${size}`);
    this.values = new Float64Array(size);
  }

  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled++;
  }

  get count(): number {
    return this.filled;
  }

  /**
   * Mean over the window, or null while fewer than minSize values are in. Summed on
   * read (not kept as a running sum) so rounding never drifts on long runs; reads are
   * rare (a few per second) and windows small.
   */
  average(): number | null {
    if (this.filled < this.minSize || this.filled === 0) return null;
    let sum = 0;
    for (let i = 0; i < this.filled; i++) sum += this.values[i];
    return sum / this.filled;
  }

  clear(): void {
    this.next = 0;
    this.filled = 0;
  }

  /** A copy of the contents, for a session checkpoint. */
  getState(): { values: Float64Array; next: number; filled: number } {
    return { values: this.values.slice(), next: this.next, filled: this.filled };
  }

  /** Restores getState's copy; a window of another size is refused and changes nothing. */
  setState(state: { values: Float64Array; next: number; filled: number }): void {
    const { values, next, filled } = state;
    if (values.length !== this.size) throw new Error(`window state has ${values.length} values, the window holds ${this.size}`);
    if (!(Number.isInteger(next) && next >= 0 && next < this.size && Number.isInteger(filled) && filled >= 0 && filled <= this.size)) {
      throw new Error(`window state position ${next}/${filled} does not fit a window of ${this.size}`);
    }
    this.values.set(values);
    this.next = next;
    this.filled = filled;
  }
}

/**
 * Examples per second over the last `spanMs` of wall time: the throughput a person
 * sees now, not the average since the start (which would hide a slow-down).
 */
export class RateMeter {
  private readonly times: number[] = [];
  private readonly counts: number[] = [];

  constructor(readonly spanMs = 2000) {}

  /** Records that `total` examples had been seen at time `nowMs`. */
  record(total: number, nowMs: number): void {
    this.times.push(nowMs);
    this.counts.push(total);
    // Keep one sample older than the span so the rate covers the whole span.
    while (this.times.length > 2 && nowMs - this.times[1] >= this.spanMs) {
      this.times.shift();
      this.counts.shift();
    }
  }

  /** Examples per second across the recorded span; 0 with fewer than two samples. */
  rate(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const dt = this.times[n - 1] - this.times[0];
    if (dt <= 0) return 0;
    return ((this.counts[n - 1] - this.counts[0]) * 1000) / dt;
  }

  clear(): void {
    this.times.length = 0;
    this.counts.length = 0;
  }
}
