import { RUNNER_CONFIG_GRACE_MS } from '../../core/scale-down/housekeeping.js';
import type { World } from '../world/world.js';

/**
 * Runner configs under `path` whose instance is gone (terminated or unknown) for longer than
 * the housekeeping grace plus `slackMs` (schedule periods for the sweep to run): secrets left behind.
 */
export function secretsLeft(world: World, path: string, slackMs: number): number {
  const prefix = `${path.replace(/\/+$/, '')}/`;
  const end = world.now;
  let left = 0;
  for (const parameter of world.ssm.parameters.values()) {
    if (!parameter.name.startsWith(prefix)) continue;
    // `<path>/<pool>/<instance-id>`
    const instance = world.ec2.instances.get(parameter.name.slice(prefix.length).split('/').at(-1) ?? '');
    const live = instance !== undefined && (instance.state === 'pending' || instance.state === 'running');
    if (live) continue;
    const goneSince = Math.max(instance?.terminatedMs ?? 0, parameter.lastModifiedMs);
    if (end - goneSince > RUNNER_CONFIG_GRACE_MS + slackMs) left++;
  }
  return left;
}

/** Known secret values and shapes; `scan` returns the lines that contain any. */
export class SecretScanner {
  private readonly values = new Set<string>();
  private static readonly PATTERNS: readonly RegExp[] = [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /\bgh[spu]_[A-Za-z0-9]{20,}/,
    /"encoded_jit_config"/,
  ];

  register(value: string): void {
    // Short values (an app id, "true") would match by accident; secrets are long.
    if (value.length >= 12) this.values.add(value);
  }

  registered(): string[] {
    return [...this.values];
  }

  scan(lines: Iterable<string>): string[] {
    const hits: string[] = [];
    for (const line of lines) {
      const leaks = SecretScanner.PATTERNS.some((p) => p.test(line)) || [...this.values].some((v) => line.includes(v));
      if (leaks) hits.push(line);
    }
    return hits;
  }
}
