import type { Clock } from '../../ports/clock.js';
import { EventQueue, type QueuedEvent } from './queue.js';

/** Lets promise chains of in-flight control-plane code run until they park on a virtual sleep or finish. */
export type Settle = () => Promise<void>;

/**
 * With in-process ports every await resolves through microtasks, and one macrotask turn runs
 * them all. HTTP facades need a settle that also waits for in-flight requests.
 */
export const settleImmediate: Settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface Invocation<T> {
  readonly promise: Promise<T>;
  abandon(): void;
}

export interface EngineOptions {
  readonly startMs: number;
  readonly settle?: Settle;
}

/**
 * The discrete-event loop. Virtual time advances only when nothing is runnable: after each
 * event, control-plane invocations in flight are drained (`settle`) until they wait on the
 * virtual clock again or are done.
 */
export class Engine {
  private readonly queue = new EventQueue();
  private nowMs: number;
  private inFlight = 0;
  private readonly settle: Settle;
  private eventsRun = 0;

  readonly clock: Clock;
  /**
   * Called each time virtual time moves on, with the interval the world's state held through
   * (nothing changes between events): lets a watch measure how long a condition held, exactly.
   */
  onAdvance: ((fromMs: number, toMs: number) => void) | undefined;

  constructor(options: EngineOptions) {
    this.nowMs = options.startMs;
    this.settle = options.settle ?? settleImmediate;
    this.clock = {
      now: () => this.nowMs,
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          this.after(Math.max(0, ms), 'sleep', resolve);
        }),
    };
  }

  get now(): number {
    return this.nowMs;
  }

  get invocationsInFlight(): number {
    return this.inFlight;
  }

  get eventCount(): number {
    return this.eventsRun;
  }

  /** Runs `run` at virtual time `atMs` (never in the past). */
  at(atMs: number, label: string, run: () => void): QueuedEvent {
    return this.queue.push(Math.max(atMs, this.nowMs), label, run);
  }

  after(delayMs: number, label: string, run: () => void): QueuedEvent {
    return this.at(this.nowMs + delayMs, label, run);
  }

  cancel(event: QueuedEvent | undefined): void {
    if (event) event.cancelled = true;
  }

  /**
   * Starts async control-plane code; the loop drains it between events until it settles.
   * `abandon` stops waiting for it (a crashed Lambda whose calls never return).
   */
  invoke<T>(run: () => Promise<T>): Invocation<T> {
    this.inFlight++;
    let open = true;
    const close = (): void => {
      if (open) this.inFlight--;
      open = false;
    };
    const promise = run();
    promise.then(close, close);
    return { promise, abandon: close };
  }

  /** Processes every event up to and including `untilMs`, then sets the clock to `untilMs`. */
  async run(untilMs: number): Promise<void> {
    for (;;) {
      if (this.inFlight > 0) await this.settle();
      const next = this.queue.peek();
      if (next === undefined || next.at > untilMs) break;
      this.queue.pop();
      if (next.cancelled) continue;
      if (next.at > this.nowMs) this.onAdvance?.(this.nowMs, next.at);
      this.nowMs = next.at;
      this.eventsRun++;
      next.run();
    }
    if (untilMs > this.nowMs) this.onAdvance?.(this.nowMs, untilMs);
    this.nowMs = Math.max(this.nowMs, untilMs);
  }
}
