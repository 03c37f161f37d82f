/**
 * A progress bar on stderr. On a terminal it redraws one line at most 10 times a second;
 * in a log (not a TTY) it prints a line at every tenth of the way, so logs stay short.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const WIDTH = 30;

export class ProgressBar {
  private lastDraw = -Infinity;
  private lastTenth = -1;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream | null,
    private readonly label: string,
  ) {}

  /** `fraction` in [0, 1]; `detail` is shown after the bar (counts, rate). */
  update(fraction: number, detail: string): void {
    if (!this.stream) return;
    const f = Math.min(1, Math.max(0, fraction));
    const percent = `${Math.floor(f * 100)}%`.padStart(4);
    if (this.stream.isTTY) {
      const now = performance.now();
      if (now - this.lastDraw < 100 && f < 1) return;
      this.lastDraw = now;
      const filled = Math.round(f * WIDTH);
      const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
      this.stream.write(`\r\x1b[2K${this.label} [${bar}] ${percent} ${detail}`);
      this.drawn = true;
    } else {
      const tenth = Math.floor(f * 10);
      if (tenth === this.lastTenth) return;
      this.lastTenth = tenth;
      this.stream.write(`${this.label} ${percent} ${detail}\n`);
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.stream?.isTTY && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
