import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootAccounting } from '../accounting-detail.js';
import { summaryJson } from '../cli.js';
import type { OurFunctions } from '../build.js';
import { resolveStrategy, type StrategyEntry } from '../run.js';
import type { Scenario } from '../scenarios/schema.js';
import {
  advanceSchema,
  BadRequest,
  errorAnswer,
  parseJson,
  readBody,
  resetSchema,
  send,
  type ControlAnswer,
} from './control.js';
import { ServeSession, type Endpoints } from './session.js';

export const DEFAULT_SERVE_PORT = 8787;

export const NONE_OF_OURS: OurFunctions = { webhook: false, scaleUp: false, scaleDown: false };

export interface ServeOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  /** The control API's port on 127.0.0.1; 0 picks a free one. Default 8787. */
  readonly port?: number;
  /** Which of our functions run inside (default none: the caller is the control plane). */
  readonly functions?: OurFunctions;
  /** Our scale-down strategy when scale-down runs inside (default quarantine). */
  readonly strategy?: StrategyEntry;
}

export interface ServeHandle {
  readonly controlUrl: string;
  /** The current world's facade endpoints (they change on reset). */
  endpoints(): Endpoints;
  /** Resolves once the server has shut down (`POST /control/shutdown` or `close`). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * `npm start -- --serve`: one simulated world behind its HTTP facades, and a control API on
 * 127.0.0.1 to move its virtual clock, read its accounting and reset it. Virtual time moves inside
 * `POST /control/advance` and by an external call's own latency; mutating calls are serialised.
 */
export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const strategy = options.strategy ?? resolveStrategy('quarantine');
  const functions = options.functions ?? NONE_OF_OURS;
  let seed = options.seed;
  const open = (s: number): Promise<ServeSession> =>
    ServeSession.start({ scenario: options.scenario, seed: s, strategy, functions });
  let session = await open(seed);
  let lock: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = lock.then(run);
    lock = next.catch(() => {});
    return next;
  };

  const clock = () => ({
    now: new Date(session.nowMs).toISOString(),
    nowMs: session.nowMs,
    startMs: session.world.startMs,
    elapsedSeconds: session.elapsedSeconds,
    scenario: options.scenario.name,
    seed,
  });
  const accounting = () => {
    const full = session.accounting();
    const summary = summaryJson({
      scenario: options.scenario.name,
      strategy: functions.scaleDown ? strategy.strategy.name : 'external',
      seed,
      simulatedHours: Math.round((session.elapsedSeconds / 3600) * 1000) / 1000,
      accounting: full,
      boot: bootAccounting(session.world),
    });
    // The `--json` keys first, then the whole accounting and what each facade answered.
    return { ...summary, accounting: full, facadeCalls: facadeCalls() };
  };
  const facadeCalls = () => ({
    github: session.stack.github.calls(),
    ec2: session.stack.ec2.calls(),
    ssm: session.stack.ssm.calls(),
    sqs: session.stack.sqs.calls(),
  });

  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  let server: Server | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const s = server;
      if (s) {
        const done = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
        await done;
      }
      await serial(() => session.close());
      resolveClosed();
    })();
    return closing;
  };

  const route = async (req: IncomingMessage, url: URL): Promise<ControlAnswer> => {
    const key = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '')}`;
    switch (key) {
      case 'GET /control/clock':
        return { status: 200, body: clock() };
      case 'POST /control/advance': {
        const { seconds } = parseJson(await readBody(req), advanceSchema);
        await serial(() => session.advance(seconds));
        return { status: 200, body: clock() };
      }
      case 'GET /control/accounting':
        return { status: 200, body: accounting() };
      case 'GET /control/endpoints':
        return { status: 200, body: session.endpoints() };
      case 'GET /control/webhooks': {
        const after = Number(url.searchParams.get('after') ?? '0');
        if (!Number.isInteger(after) || after < 0) throw new BadRequest('after: expected a non-negative integer');
        const deliveries = session.deliveriesAfter(after);
        return { status: 200, body: { deliveries, last: session.deliveries.length } };
      }
      case 'POST /control/reset': {
        const body = parseJson(await readBody(req), resetSchema);
        await serial(async () => {
          const next = await open(body.seed ?? seed);
          const old = session;
          session = next;
          seed = body.seed ?? seed;
          await old.close();
        });
        return { status: 200, body: { clock: clock(), endpoints: session.endpoints() } };
      }
      case 'POST /control/shutdown':
        return { status: 200, body: { shuttingDown: true } };
      default:
        return url.pathname.startsWith('/control/') && KNOWN.has(url.pathname.replace(/\/+$/, ''))
          ? { status: 405, body: { error: `${req.method ?? ''} not allowed on ${url.pathname}` } }
          : { status: 404, body: { error: `no route ${key}`, routes: [...ROUTES] } };
    }
  };

  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    route(req, url).then(
      (answer) => {
        send(res, answer);
        if (answer.status === 200 && req.method === 'POST' && url.pathname.startsWith('/control/shutdown')) {
          res.on('finish', () => void close());
        }
      },
      (error: unknown) => send(res, errorAnswer(error)),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(options.port ?? DEFAULT_SERVE_PORT, '127.0.0.1', resolve);
    });
  } catch (error) {
    server = undefined;
    await session.close();
    throw error;
  }
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('control server has no TCP address');
  return {
    controlUrl: `http://127.0.0.1:${(address satisfies AddressInfo).port}`,
    endpoints: () => session.endpoints(),
    closed,
    close,
  };
}

const ROUTES = [
  'GET /control/clock',
  'POST /control/advance',
  'GET /control/accounting',
  'GET /control/endpoints',
  'GET /control/webhooks',
  'POST /control/reset',
  'POST /control/shutdown',
] as const;
const KNOWN = new Set(ROUTES.map((r) => r.split(' ')[1]));
