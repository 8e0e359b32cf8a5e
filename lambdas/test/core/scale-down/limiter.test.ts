import { describe, expect, test } from '@jest/globals';
import { KeyedLimiter, forEachLimited } from '../../../src/core/scale-down/limiter.js';

/** A task that records when it runs and ends only when released (no timers: the test decides). */
function gatedTasks() {
  const running = new Set<string>();
  const started: string[] = [];
  let maxRunning = 0;
  const releases = new Map<string, () => void>();
  const task = (name: string) => () =>
    new Promise<void>((resolve) => {
      running.add(name);
      started.push(name);
      maxRunning = Math.max(maxRunning, running.size);
      releases.set(name, () => {
        running.delete(name);
        resolve();
      });
    });
  const release = async (name: string) => {
    releases.get(name)!();
    await new Promise((r) => setImmediate(r)); // let the limiter start what waited
  };
  return { task, release, started, running, max: () => maxRunning };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedLimiter', () => {
  test('at most `global` tasks at once, started in submission order as slots free', async () => {
    const g = gatedTasks();
    const limiter = new KeyedLimiter({ global: 2, perKey: 10 });
    const all = ['a', 'b', 'c', 'd'].map((name) => limiter.run(name, g.task(name)));
    await tick();
    expect(g.started).toEqual(['a', 'b']);
    await g.release('a');
    expect(g.started).toEqual(['a', 'b', 'c']);
    await g.release('b');
    await g.release('c');
    await g.release('d');
    await Promise.all(all);
    expect(g.max()).toBe(2);
  });

  test('at most `perKey` at once per key; another key does not wait behind it', async () => {
    const g = gatedTasks();
    const limiter = new KeyedLimiter({ global: 10, perKey: 1 });
    const all = [
      limiter.run('acme', g.task('acme-1')),
      limiter.run('acme', g.task('acme-2')),
      limiter.run('other', g.task('other-1')),
    ];
    await tick();
    expect(g.started).toEqual(['acme-1', 'other-1']);
    await g.release('acme-1');
    expect(g.started).toEqual(['acme-1', 'other-1', 'acme-2']);
    await g.release('other-1');
    await g.release('acme-2');
    await Promise.all(all);
  });

  test('a key with several running keeps its count when one ends: one more starts, not all', async () => {
    const g = gatedTasks();
    const limiter = new KeyedLimiter({ global: 10, perKey: 2 });
    const all = ['a', 'b', 'c', 'd'].map((name) => limiter.run('acme', g.task(name)));
    await tick();
    await g.release('a');
    expect(g.started).toEqual(['a', 'b', 'c']);
    await g.release('b');
    await g.release('c');
    await g.release('d');
    await Promise.all(all);
    expect(g.max()).toBe(2);
  });

  test('a task that fails frees its slot; its failure is its own', async () => {
    const limiter = new KeyedLimiter({ global: 1, perKey: 1 });
    const failed = limiter.run('k', () => Promise.reject(new Error('boom')));
    const next = limiter.run('k', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});

test('forEachLimited settles every item, in item order', async () => {
  const limiter = new KeyedLimiter({ global: 2, perKey: 1 });
  const results = await forEachLimited(
    limiter,
    [1, 2, 3],
    (n) => (n % 2 === 0 ? 'even' : 'odd'),
    async (n) => {
      if (n === 2) throw new Error('two');
    },
  );
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
});
