import { RUNNER_CONFIG_GRACE_MS } from '../../core/scale-down/housekeeping.js';
import type { World } from '../world/world.js';

/**
 * Per-instance runner configs in SSM (architecture.md §4, S2: "no SSM secret outlives its
 * instance past the housekeeping period").
 *
 * The in-process world's modelled scale-up never writes runner configs to SSM (it hands the
 * JIT registration to the host directly), so a fault run plants them: at each launch the
 * config is written under `runnerConfigPath/<pool>/<instance-id>` with a secret value (a stand-in for
 * the encoded JIT config), and the agent deletes it once its runner came online (it has read
 * it). Instances that never boot, or die first (spot, failed boot, orphan reaping), leave
 * theirs for scale-down's housekeeping sweep, which is what `secretsLeft` checks.
 */
export class RunnerConfigModel {
  private readonly seen = new Set<string>();
  private readonly pending = new Map<string, string>();
  /** Every secret value written, for the log scan. */
  readonly values: string[] = [];

  constructor(
    private readonly world: World,
    private readonly path: string,
    private readonly pollMs = 15_000,
  ) {}

  start(endMs: number): void {
    const rng = this.world.ctx.rng('faults.runnerConfig');
    const tick = (): void => {
      for (const instance of this.world.ec2.instances.values()) {
        if (!this.seen.has(instance.id)) {
          this.seen.add(instance.id);
          const value = `SIMJITCONFIG${Math.floor(rng.next() * 2 ** 48)
            .toString(36)
            .padStart(10, '0')}${instance.id.slice(2)}`;
          this.values.push(value);
          this.world.ssm.put({
            name: `${this.path}/${instance.pool}/${instance.id}`,
            value,
            type: 'SecureString',
            overwrite: true,
          });
          this.pending.set(instance.id, value);
        }
      }
      for (const id of [...this.pending.keys()]) {
        const instance = this.world.ec2.instances.get(id);
        const name = `${this.path}/${instance?.pool ?? ''}/${id}`;
        if (instance?.everOnline && instance.state === 'running') {
          // The agent read its config at boot and deleted it (it may have been swept already).
          if (this.world.ssm.parameters.has(name)) this.world.ssm.delete(name);
          this.pending.delete(id);
        }
      }
      if (this.world.now + this.pollMs <= endMs) this.world.engine.after(this.pollMs, 'runner-config', tick);
    };
    this.world.engine.at(this.world.startMs, 'runner-config', tick);
  }
}

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
    /SIMJITCONFIG[0-9a-z]+/,
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
