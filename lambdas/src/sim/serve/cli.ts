import type { OurFunctions } from '../build.js';
import type { StrategyEntry } from '../run.js';
import type { Scenario } from '../scenarios/schema.js';
import { startServe, type ServeHandle } from './serve.js';
import type { Endpoints } from './session.js';

export interface ServeCliIo {
  readonly stderr: { write(text: string): unknown };
}

export interface ServeCliOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly port: number;
  readonly functions: OurFunctions;
  readonly strategy: StrategyEntry;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); the CLI passes its signal waiter. */
  readonly stopSignal?: Promise<unknown>;
}

function describeOurs(options: ServeCliOptions): string {
  const f = options.functions;
  const ours = [
    f.webhook && 'webhook',
    f.scaleUp && 'scale-up',
    f.scaleDown && `scale-down (${options.strategy.strategy.name})`,
  ];
  const names = ours.filter((n): n is string => typeof n === 'string');
  return names.length === 0 ? 'no control plane inside' : `ours inside: ${names.join(', ')}`;
}

/** The banner printed on start: where everything is, and how to drive it with curl. */
export function banner(handle: ServeHandle, options: ServeCliOptions): string {
  const e: Endpoints = handle.endpoints();
  const c = handle.controlUrl;
  const pools = e.pools
    .map((p) => `    ${p.name}: owner ${p.owner}, labels ${p.labels.join(',')}, ${p.registration}, queue ${p.queueUrl}`)
    .join('\n');
  return `fleet simulator serving scenario "${options.scenario.name}", seed ${options.seed}, ${describeOurs(options)}
  control API  ${c}/control/{clock,advance,accounting,endpoints,webhooks,reset,shutdown}
  GitHub       ${e.github.root}  (GHES: ${e.github.ghes})  app ${e.appId}, installations ${JSON.stringify(e.installations)}
  EC2          ${e.ec2}
  SSM          ${e.ssm}   (${e.parameters.appId}, ${e.parameters.privateKey}, ${e.parameters.webhookSecret})
  SQS          ${e.sqs}   region ${e.region}, any credentials
  pools
${pools}
Virtual time moves on POST /control/advance (an autoscaler's own waits must be advances) and by its calls' latency.
  curl -s ${c}/control/clock
  curl -s -X POST ${c}/control/advance -d '{"seconds": 600}'
  curl -s ${c}/control/accounting
  curl -s -X POST ${c}/control/shutdown
`;
}

/** Runs `--serve` until shutdown via the API or `stopSignal`; returns the exit code. */
export async function runServe(options: ServeCliOptions, io: ServeCliIo): Promise<number> {
  const handle = await startServe({
    scenario: options.scenario,
    seed: options.seed,
    port: options.port,
    functions: options.functions,
    strategy: options.strategy,
  });
  io.stderr.write(banner(handle, options));
  await Promise.race([handle.closed, options.stopSignal ?? new Promise(() => {})]);
  await handle.close();
  io.stderr.write('fleet simulator stopped\n');
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM, and removes its listeners. */
export function signalWaiter(): { readonly promise: Promise<void>; dispose(): void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  const onSignal = (): void => resolve();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
