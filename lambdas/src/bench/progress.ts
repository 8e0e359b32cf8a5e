/** Where the bench writes: results to stdout, progress to stderr. */
export interface BenchIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** The environment child processes start from (the agent part runs bash, node and curl); `process.env` from scripts/run-ts.mjs. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Progress on stderr: one line rewritten in place on a terminal; otherwise a line at each
 * tenth of the way (and the last), so CI logs stay short.
 */
export class Progress {
  private open = false;
  private lastTenth = new Map<string, number>();

  constructor(private readonly stderr: BenchIo['stderr']) {}

  get tty(): boolean {
    return this.stderr.isTTY === true;
  }

  step(label: string, done: number, total: number): void {
    const text = `${label}: ${done}/${total}`;
    if (this.tty) {
      this.stderr.write(`\r${text}   `);
      this.open = true;
      return;
    }
    const tenth = Math.floor((done / Math.max(1, total)) * 10);
    if (tenth !== this.lastTenth.get(label) || done === total) {
      this.lastTenth.set(label, tenth);
      this.stderr.write(`${text}\n`);
    }
  }

  /** A free-form status ("scale: sequential, 1200 GitHub calls"). */
  status(text: string): void {
    if (this.tty) {
      this.stderr.write(`\r${text}   `);
      this.open = true;
    } else this.stderr.write(`${text}\n`);
  }

  line(text: string): void {
    this.end();
    this.stderr.write(`${text}\n`);
  }

  end(): void {
    if (this.open) this.stderr.write('\n');
    this.open = false;
  }
}
