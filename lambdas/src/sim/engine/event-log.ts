import { createHash } from 'node:crypto';

/**
 * One line per world event, stable formatting: `HHHH:MM:SS.mmm kind key=value …` with keys
 * in the order given. Same seed and scenario → the same log byte for byte.
 */
export type LogValue = string | number | boolean | undefined;

function formatTime(ms: number): string {
  const total = Math.floor(ms);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  const milli = total % 1000;
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${pad(h, 4)}:${pad(m, 2)}:${pad(s, 2)}.${pad(milli, 3)}`;
}

function formatValue(value: LogValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return String(value);
}

export class EventLog {
  private readonly lines: string[] = [];
  private readonly hash = createHash('sha256');
  private count = 0;

  /** keep: hold lines in memory (tests, CLI dumps); the hash is always kept. */
  constructor(
    private readonly startMs: number,
    private readonly keep: boolean,
  ) {}

  record(atMs: number, kind: string, fields: Readonly<Record<string, LogValue>> = {}): void {
    let line = `${formatTime(atMs - this.startMs)} ${kind}`;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (value !== undefined) line += ` ${key}=${formatValue(value)}`;
    }
    this.count++;
    this.hash.update(line + '\n');
    if (this.keep) this.lines.push(line);
  }

  get size(): number {
    return this.count;
  }

  text(): string {
    return this.lines.map((line) => line + '\n').join('');
  }

  all(): readonly string[] {
    return this.lines;
  }

  /** sha256 of every line so far (with newlines); finalizes a copy, so recording may go on. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
