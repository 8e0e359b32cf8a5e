import { describe, expect, it } from '@jest/globals';
import { RUNNER_CONFIG_GRACE_MS, sweepRunnerConfigs } from '../../../src/core/scale-down/housekeeping.js';
import { ManualClock, InMemorySsm } from '../../../src/sim/memory/index.js';
import { silentLog } from '../../../src/observability/types.js';

describe('sweepRunnerConfigs', () => {
  async function prepare() {
    const clock = new ManualClock(Date.UTC(2026, 10, 28));
    const ssm = new InMemorySsm(clock);
    const put = (name: string) =>
      ssm.putParameter({ name, value: 'secret-jit-config', type: 'SecureString', overwrite: true });
    await put('/ghr/runners/linux/i-0dead00000000001');
    await put('/ghr/runners/linux/i-0a1140000000000e');
    await put('/ghr/runners/linux/not-an-instance');
    await put('/ghr/runners/i-0dead00000000002'); // not under a pool: not a runner config
    clock.advance(RUNNER_CONFIG_GRACE_MS + 1);
    await put('/ghr/runners/arm/i-0eee00000000000e');
    const counted: Record<string, number> = {};
    const deps = {
      ssm,
      config: { runnerConfigPath: '/ghr/runners/' },
      log: silentLog,
      metrics: { count: (name: string, value = 1) => void (counted[name] = (counted[name] ?? 0) + value) },
    };
    return { clock, ssm, deps, counted };
  }

  it('deletes the config of an instance that is gone, once past the grace period', async () => {
    // Prepare
    const { clock, ssm, deps, counted } = await prepare();

    // Act
    const swept = await sweepRunnerConfigs(deps, new Set(['i-0a1140000000000e']), clock.now());

    // Assess
    expect(swept).toBe(1);
    expect(counted['runnerConfigsSwept']).toBe(1);
    const left = (await ssm.listParameters('/ghr/runners')).map((p) => p.name).sort();
    expect(left).toEqual([
      '/ghr/runners/arm/i-0eee00000000000e',
      '/ghr/runners/i-0dead00000000002',
      '/ghr/runners/linux/i-0a1140000000000e',
      '/ghr/runners/linux/not-an-instance',
    ]);
  });

  it('keeps a young config whose instance is not listed yet (CreateFleet just returned)', async () => {
    const { clock, ssm, deps } = await prepare();
    await sweepRunnerConfigs(deps, new Set(), clock.now());
    expect((await ssm.listParameters('/ghr/runners')).map((p) => p.name)).toContain(
      '/ghr/runners/arm/i-0eee00000000000e',
    );
  });
});
