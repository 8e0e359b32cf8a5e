import type { Clock } from '../../ports/index.js';

/**
 * A clock that moves only when told: `advance(ms)` by a test or a scenario, or `sleep(ms)`, which
 * jumps the clock forward at once (nothing in the in-memory backends waits on real time).
 */
export class ManualClock implements Clock {
  constructor(private nowMs = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.nowMs;
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
}
