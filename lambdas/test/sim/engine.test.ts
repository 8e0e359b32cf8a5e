import { describe, expect, test } from '@jest/globals';
import { Engine } from '../../src/sim/engine/engine.js';
import { EventLog } from '../../src/sim/engine/event-log.js';
import { EventQueue } from '../../src/sim/engine/queue.js';
import { Rng, RngStreams } from '../../src/sim/engine/rng.js';

describe('seeded randomness', () => {
  test('the same seed gives the same sequence; another seed another', () => {
    // Prepare
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (rng) => () =>
            rng.next()
        )(new Rng(seed)),
      );
    // Act
    const a = draw(42);
    const b = draw(42);
    const c = draw(43);
    // Assess
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  test('a draw on one named stream does not shift another', () => {
    // Prepare
    const quiet = new RngStreams(1);
    const noisy = new RngStreams(1);
    // Act
    noisy.stream('agent').next();
    noisy.stream('agent').next();
    const a = [quiet.stream('workload').next(), quiet.stream('workload').next()];
    const b = [noisy.stream('workload').next(), noisy.stream('workload').next()];
    // Assess
    expect(b).toEqual(a);
    expect(quiet.stream('agent').next()).not.toBe(quiet.stream('workload').next());
  });

  test('uniform, int and exponential stay in range', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const u = rng.uniform(2, 5);
      const n = rng.int(1, 3);
      expect(u >= 2 && u <= 5).toBe(true);
      expect([1, 2, 3]).toContain(n);
      expect(rng.exponential(2)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('event queue', () => {
  test('orders by time, then by insertion for equal times', () => {
    // Prepare
    const queue = new EventQueue();
    const seen: string[] = [];
    for (const [at, label] of [
      [30, 'c'],
      [10, 'a1'],
      [20, 'b'],
      [10, 'a2'],
      [5, 'first'],
      [10, 'a3'],
    ] as const) {
      queue.push(at, label, () => seen.push(label));
    }
    // Act
    for (let e = queue.pop(); e; e = queue.pop()) e.run();
    // Assess
    expect(seen).toEqual(['first', 'a1', 'a2', 'a3', 'b', 'c']);
  });
});

describe('engine and virtual clock', () => {
  test('async code sleeps on virtual time and interleaves with world events', async () => {
    // Prepare
    const engine = new Engine({ startMs: 1000 });
    const trace: string[] = [];
    engine.at(1500, 'world', () => trace.push(`world@${engine.now}`));
    engine.at(1000, 'start', () => {
      void engine.invoke(async () => {
        trace.push(`run@${engine.clock.now()}`);
        await engine.clock.sleep(1000);
        trace.push(`woke@${engine.clock.now()}`);
        await Promise.resolve();
        await engine.clock.sleep(0);
        trace.push(`done@${engine.clock.now()}`);
      }).promise;
    });
    // Act
    await engine.run(10_000);
    // Assess
    expect(trace).toEqual(['run@1000', 'world@1500', 'woke@2000', 'done@2000']);
    expect(engine.now).toBe(10_000);
    expect(engine.invocationsInFlight).toBe(0);
  });

  test('virtual time does not move while an invocation is runnable', async () => {
    // Prepare
    const engine = new Engine({ startMs: 0 });
    let steps = 0;
    engine.at(0, 'start', () => {
      void engine.invoke(async () => {
        for (let i = 0; i < 100; i++) {
          await Promise.resolve();
          steps++;
        }
      }).promise;
    });
    let seenAtOne = -1;
    engine.at(1, 'probe', () => {
      seenAtOne = steps;
    });
    // Act
    await engine.run(10);
    // Assess
    expect(seenAtOne).toBe(100);
  });

  test('the drain step is pluggable: a custom settle runs while an invocation is in flight, and only then', async () => {
    // Prepare
    let settles = 0;
    const engine = new Engine({
      startMs: 0,
      settle: () => {
        settles++;
        return new Promise<void>((resolve) => setImmediate(resolve));
      },
    });
    engine.at(10, 'idle world event', () => {});
    engine.at(20, 'start', () => {
      void engine.invoke(() => engine.clock.sleep(5)).promise;
    });
    // Act
    await engine.run(100);
    // Assess: after the start event, after the wake-up event (and none before the start).
    expect(settles).toBe(2);
  });

  test('an abandoned invocation no longer holds the loop', async () => {
    const engine = new Engine({ startMs: 0 });
    const invocation = engine.invoke(() => new Promise<void>(() => {}));
    invocation.abandon();
    invocation.abandon();
    await engine.run(5);
    expect(engine.invocationsInFlight).toBe(0);
  });
});

describe('event log', () => {
  test('formats one stable line per event and hashes them', () => {
    // Prepare
    const a = new EventLog(0, true);
    const b = new EventLog(0, false);
    // Act
    for (const log of [a, b]) {
      log.record(3_723_004, 'job.assigned', { job: 7, runner: 1001, skipped: undefined, lag: 1.5 });
      log.record(3_723_004.9, 'gh.delete', { runner: 1001 });
    }
    // Assess
    expect(a.text()).toBe(
      '0001:02:03.004 job.assigned job=7 runner=1001 lag=1.500\n0001:02:03.004 gh.delete runner=1001\n',
    );
    expect(a.digest()).toBe(b.digest());
    expect(a.digest()).toMatch(/^[0-9a-f]{64}$/);
    a.record(0, 'more');
    expect(a.digest()).not.toBe(b.digest());
  });
});
