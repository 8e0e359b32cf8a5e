import { describe, expect, it } from '@jest/globals';
import { RUNNER_CONFIG_GRACE_MS, sweepRunnerConfigs } from '../../../src/core/scale-down/housekeeping.js';
import { ManualClock, InMemorySsm } from '../../../src/sim/memory/index.js';
import { silentLog } from '../../../src/observability/types.js';
import { TransientError } from '../../../src/errors.js';

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

  it('sweeps at exactly the grace period, and only what is exactly <pool>/<instance-id> under the path', async () => {
    // Prepare: a path given with trailing slashes; near-misses of the name pattern
    const clock = new ManualClock(Date.UTC(2026, 10, 28));
    const ssm = new InMemorySsm(clock);
    for (const name of [
      '/ghr/runners/linux/i-0dead00000000001',
      '/ghr/runners/team/linux/i-0dead00000000003',
      '/ghr/runners/linux/i-0dead00000000004-old',
    ]) {
      await ssm.putParameter({ name, value: 'jit', type: 'SecureString', overwrite: true });
    }
    const lines: { message: string; attributes?: Record<string, unknown> }[] = [];
    const counted: Record<string, number> = {};
    const deps = {
      ssm,
      config: { runnerConfigPath: '/ghr/runners//' },
      log: {
        ...silentLog,
        info: (message: string, attributes?: Record<string, unknown>) =>
          void lines.push({ message, ...(attributes ? { attributes } : {}) }),
      },
      metrics: { count: (name: string, value = 1) => void (counted[name] = (counted[name] ?? 0) + value) },
    };
    clock.advance(RUNNER_CONFIG_GRACE_MS);

    // Act
    const swept = await sweepRunnerConfigs(deps, new Set(), clock.now());

    // Assess
    expect(swept).toBe(1);
    expect((await ssm.listParameters('/ghr/runners')).map((p) => p.name).sort()).toEqual([
      '/ghr/runners/linux/i-0dead00000000004-old',
      '/ghr/runners/team/linux/i-0dead00000000003',
    ]);
    expect(lines).toEqual([{ message: 'runner configs swept', attributes: { swept: 1 } }]);
    expect(counted).toEqual({ runnerConfigsSwept: 1 });
  });

  it('with nothing to sweep: no metric, no line', async () => {
    const { clock, deps, counted } = await prepare();
    const live = new Set(['i-0dead00000000001', 'i-0a1140000000000e', 'i-0eee00000000000e']);
    const swept = await sweepRunnerConfigs(deps, live, clock.now());
    expect(swept).toBe(0);
    expect(counted).toEqual({});
  });

  it('a delete that fails is logged with the instance and the error, and the others are still swept', async () => {
    // Prepare: two stale configs; the first delete fails
    const clock = new ManualClock(Date.UTC(2026, 10, 28));
    const ssm = new InMemorySsm(clock);
    await ssm.putParameter({
      name: '/ghr/runners/linux/i-0dead00000000001',
      value: 'jit',
      type: 'SecureString',
      overwrite: true,
    });
    await ssm.putParameter({
      name: '/ghr/runners/linux/i-0dead00000000002',
      value: 'jit',
      type: 'SecureString',
      overwrite: true,
    });
    clock.advance(RUNNER_CONFIG_GRACE_MS + 1);
    let deletes = 0;
    const failing = {
      listParameters: (path: string) => ssm.listParameters(path),
      deleteParameter: async (name: string) => {
        if (deletes++ === 0) throw new TransientError('SSM 500');
        await ssm.deleteParameter(name);
      },
    };
    const warnings: { message: string; attributes?: Record<string, unknown> }[] = [];
    const deps = {
      ssm: failing,
      config: { runnerConfigPath: '/ghr/runners' },
      log: {
        ...silentLog,
        warn: (message: string, attributes?: Record<string, unknown>) =>
          void warnings.push({ message, ...(attributes ? { attributes } : {}) }),
      },
      metrics: { count: () => undefined },
    };

    // Act
    const swept = await sweepRunnerConfigs(deps, new Set(), clock.now());

    // Assess
    expect(swept).toBe(1);
    expect(warnings).toEqual([
      {
        message: 'runner config sweep failed',
        attributes: { instanceId: 'i-0dead00000000001', error: 'TransientError' },
      },
    ]);
  });
});
