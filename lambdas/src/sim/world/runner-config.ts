import type { Rng } from '../engine/rng.js';

/**
 * What GitHub hands out and what the runner on an instance starts from.
 *
 * A JIT config is shaped like GitHub's `encoded_jit_config`: base64 of the runner's `.runner`,
 * `.credentials` and `.credentials_rsaparameters` files (actions/runner, `JitConfig`), the
 * credentials drawn from the world's RNG so runs stay deterministic. The runner finds its
 * registration by `.runner`'s `agentId`.
 *
 * A token registration is `config.sh` arguments on one line (core/scale-up/runner-config.ts):
 * `--url U --token T --name N --labels a,b --unattended --no-default-labels [--runnergroup G] [--ephemeral]`.
 */
function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64');
}

function randomHex(rng: Rng, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++)
    out += Math.floor(rng.next() * 256)
      .toString(16)
      .padStart(2, '0');
  return out;
}

export function encodeJitConfig(runnerId: number, runnerName: string, rng: Rng): string {
  return b64({
    '.runner': b64({ agentId: runnerId, agentName: runnerName, poolId: 1, serverUrl: 'https://pipelines' }),
    '.credentials': b64({ scheme: 'OAuth', data: { clientId: randomHex(rng, 16) } }),
    '.credentials_rsaparameters': Buffer.from(randomHex(rng, 96), 'hex').toString('base64'),
  });
}

function decodeJson(base64: string): unknown {
  try {
    return JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The registration a JIT config names, or undefined when the value is not a JIT config. */
export function jitRunnerId(value: string): number | undefined {
  const runnerFile = field(decodeJson(value), '.runner');
  const agentId = typeof runnerFile === 'string' ? field(decodeJson(runnerFile), 'agentId') : undefined;
  return typeof agentId === 'number' && Number.isInteger(agentId) ? agentId : undefined;
}

export interface TokenRegistration {
  readonly url: string;
  readonly token: string;
  readonly name: string;
  readonly labels: readonly string[];
  readonly runnerGroup?: string;
  readonly ephemeral: boolean;
}

/** `config.sh` arguments as scale-up writes them, or undefined when the value is not that. */
export function tokenRegistration(value: string): TokenRegistration | undefined {
  if (!value.startsWith('--')) return undefined;
  const words = value.split(' ');
  const arg = (name: string): string | undefined => {
    const i = words.indexOf(name);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const url = arg('--url');
  const token = arg('--token');
  const name = arg('--name');
  if (url === undefined || token === undefined || name === undefined) return undefined;
  const group = arg('--runnergroup');
  return {
    url,
    token,
    name,
    labels: (arg('--labels') ?? '').split(',').filter((l) => l.length > 0),
    ...(group === undefined ? {} : { runnerGroup: group }),
    ephemeral: words.includes('--ephemeral'),
  };
}
