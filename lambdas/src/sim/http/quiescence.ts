import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Clock } from '../../ports/clock.js';
import { answeringDoorRequest, DOOR_CALLER_HEADER } from '../facades/caller.js';

/**
 * When may virtual time move while real handlers talk real HTTP? Only when nothing can make
 * progress without it (the engine's `settle`): every handler invocation is finished or parked on a
 * virtual `clock.sleep` (scale-down's settle wait), and every HTTP request in flight is parked on
 * virtual time too (a facade backend waiting out its drawn call latency). Requests are counted on
 * the client side — Octokit's `fetch` and the AWS SDK's request handler — and a request counts as
 * in flight until its body is buffered, so no handler code runs on a half-read answer. Sleeps are
 * attributed to invocations with AsyncLocalStorage: a sleep outside any invocation (the world's
 * own events) does not park anything.
 */

interface InvocationState {
  readonly name: string;
  parked: number;
  /** Its requests in flight: while every request in flight is parked server-side, so is it. */
  requests: number;
}

/**
 * Wall-clock bound on one drain: a request that never answers is a bug, not something to wait out.
 * A hang detector, not a budget: a drain takes milliseconds, so ten minutes holds on any machine.
 */
const STUCK_AFTER_MS = 10 * 60_000;
/** setImmediate turns with nothing runnable before the drain believes it (promise chains between awaits). */
const QUIET_TURNS = 3;

const immediate = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class Quiescence {
  private readonly storage = new AsyncLocalStorage<InvocationState>();
  private readonly active = new Set<InvocationState>();
  private httpInFlight = 0;
  /** Requests whose server side waits on virtual time (world call latency). */
  private serverParked = 0;
  private wake: (() => void) | undefined;
  /** How an external caller's call latency passes (`--serve`); none: it waits for whoever moves the clock. */
  private externalSleep: ((ms: number) => Promise<void>) | undefined;
  /** Requests sent through the counted transports, for the report. */
  requests = 0;

  /** Runs one handler invocation; its virtual sleeps are attributed to it. */
  run<T>(name: string, body: () => Promise<T>): Promise<T> {
    const state: InvocationState = { name, parked: 0, requests: 0 };
    this.active.add(state);
    const done = (): void => {
      this.active.delete(state);
      this.poke();
    };
    return this.storage.run(state, async () => {
      try {
        return await body();
      } finally {
        done();
      }
    });
  }

  /** A clock whose sleeps park the invocation they are called from. */
  clock(base: Clock): Clock {
    return {
      now: () => base.now(),
      sleep: async (ms) => {
        const state = this.storage.getStore();
        if (state) state.parked++;
        try {
          await base.sleep(ms);
        } finally {
          if (state) state.parked--;
        }
      },
    };
  }

  /**
   * Wraps the world's latency sleep: a door's facade request waiting on it is parked, not busy. An
   * external caller's request is not one of the door's requests in flight, so it must not count as
   * parked either (it would let time move while a door request is still running): its latency
   * passes through `onExternalLatency`'s sleep.
   */
  serverSleep(sleep: (ms: number) => Promise<void>): (ms: number) => Promise<void> {
    return async (ms) => {
      if (answeringDoorRequest() === false) return (this.externalSleep ?? sleep)(ms);
      this.serverParked++;
      try {
        await sleep(ms);
      } finally {
        this.serverParked--;
      }
    };
  }

  /** `--serve`: an external caller's call takes its latency by moving the clock itself if nobody else does. */
  onExternalLatency(sleep: (ms: number) => Promise<void>): void {
    this.externalSleep = sleep;
  }

  private begin(): InvocationState | undefined {
    this.httpInFlight++;
    this.requests++;
    const state = this.storage.getStore();
    if (state) state.requests++;
    return state;
  }

  private end(state: InvocationState | undefined): void {
    this.httpInFlight--;
    if (state) state.requests--;
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private busy(): boolean {
    if (this.httpInFlight > this.serverParked) return true;
    // Every request in flight is parked on virtual time (a world call latency, a GitHub timeout):
    // an invocation waiting on one waits on virtual time too.
    for (const state of this.active) if (state.parked === 0 && state.requests === 0) return true;
    return false;
  }

  private describe(): string {
    const running = [...this.active].filter((s) => s.parked === 0).map((s) => s.name);
    return `${this.httpInFlight} request(s) in flight, running: ${running.join(', ') || 'none'}`;
  }

  /** The engine's settle step: returns once nothing can run until virtual time moves. */
  readonly settle = async (): Promise<void> => {
    const started = Date.now();
    let quiet = 0;
    while (quiet < QUIET_TURNS) {
      if (!this.busy()) {
        await immediate();
        quiet = this.busy() ? 0 : quiet + 1;
        continue;
      }
      quiet = 0;
      if (Date.now() - started > STUCK_AFTER_MS) throw new Error(`HTTP door stuck: ${this.describe()}`);
      // Waiting on a socket: sleep until a request ends (or one event-loop turn, for CPU-bound steps).
      await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), immediate()]);
    }
  };

  /** Octokit's `fetch`: counted until the body is read. */
  fetch(inner: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const state = this.begin();
      try {
        const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
        headers.set(DOOR_CALLER_HEADER, '1');
        const response = await inner(input, { ...init, headers });
        const body = await response.arrayBuffer();
        const empty = [101, 204, 205, 304].includes(response.status);
        const buffered = new Response(empty ? null : body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
        // Octokit reads `url` (pagination, error messages); a constructed Response has none.
        Object.defineProperty(buffered, 'url', { value: response.url });
        return buffered;
      } finally {
        this.end(state);
      }
    };
  }

  /** The AWS SDK's request handler: counted until the body is read. */
  requestHandler(): NodeHttpHandler {
    return new CountingHttpHandler(
      () => this.begin(),
      (state) => this.end(state),
    );
  }
}

type HandleArgs = Parameters<NodeHttpHandler['handle']>;
type HandleResult = Awaited<ReturnType<NodeHttpHandler['handle']>>;

class CountingHttpHandler extends NodeHttpHandler {
  constructor(
    private readonly begin: () => InvocationState | undefined,
    private readonly end: (state: InvocationState | undefined) => void,
  ) {
    super();
  }

  override async handle(...args: HandleArgs): Promise<HandleResult> {
    const state = this.begin();
    try {
      args[0].headers[DOOR_CALLER_HEADER] = '1';
      const result = await super.handle(...args);
      const chunks: Buffer[] = [];
      const body: unknown = result.response.body;
      if (body instanceof Readable) {
        for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
        result.response.body = Readable.from([Buffer.concat(chunks)]);
      }
      return result;
    } finally {
      this.end(state);
    }
  }
}
