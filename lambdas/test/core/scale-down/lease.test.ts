import { describe, expect, test } from '@jest/globals';
import { LEASE_MARGIN_MS, acquireLease } from '../../../src/core/scale-down/lease.js';
import type { SsmPort } from '../../../src/ports/index.js';
import { InMemorySsm, ManualClock } from '../../../src/sim/memory/index.js';
import { intercept } from '../../../src/sim/ports/intercept.js';
import { T0 } from '../world.js';

function setup() {
  const clock = new ManualClock(T0);
  const ssm = new InMemorySsm(clock);
  const lease = (holder: string) => acquireLease({ ssm, clock, parameterName: '/l', ttlSeconds: 900, holder });
  return { clock, ssm, lease };
}

describe('acquireLease', () => {
  test('the first run gets it; a second run does not until it is released', async () => {
    const { ssm, lease } = setup();
    const first = await lease('a');
    const second = await lease('b');
    expect(first?.holder).toBe('a');
    expect(second).toBeUndefined();
    expect(JSON.parse((await ssm.getParameter('/l')).value)).toEqual({ holder: 'a', expiresAtMs: T0 + 900_000 });
    await first!.release();
    expect((await lease('b'))?.holder).toBe('b');
  });

  test('an expired lease is taken over; the old holder cannot release the new one', async () => {
    const { clock, ssm, lease } = setup();
    const old = await lease('old');
    clock.advance(901_000);
    const fresh = await lease('new');
    await old!.release();
    expect(fresh?.holder).toBe('new');
    expect((await ssm.getParameter('/l')).value).toContain('"new"');
  });

  test('an unreadable value is treated as expired', async () => {
    const { ssm, lease } = setup();
    await ssm.putParameter({ name: '/l', value: 'garbage', type: 'String', overwrite: false });
    expect((await lease('a'))?.holder).toBe('a');
  });

  test('a later holder has a larger fencing token', async () => {
    const { clock, lease } = setup();
    const old = await lease('old');
    clock.advance(901_000);
    const fresh = await lease('new');
    expect(fresh!.token).toBeGreaterThan(old!.token);
    expect(fresh!.expiresAtMs).toBe(fresh!.token + 900_000);
  });

  test('a run may act until the margin before expiry, not after (guarantee 4)', async () => {
    const { clock, lease } = setup();
    const held = await lease('a');
    clock.advance(900_000 - LEASE_MARGIN_MS - 1);
    expect(await held!.stillHeld()).toBe(true);
    clock.advance(1);
    expect(await held!.stillHeld()).toBe(false);
  });

  test('a takeover race leaves one holder: the run whose lease was deleted under it learns it before acting', async () => {
    const { ssm, lease } = setup();
    const first = await lease('a');
    // Run b read an expired lease before a created its own, and deletes and creates after.
    await ssm.deleteParameter('/l');
    await ssm.putParameter({
      name: '/l',
      value: JSON.stringify({ holder: 'b', expiresAtMs: T0 + 900_000 }),
      type: 'String',
      overwrite: false,
    });
    expect(await first!.stillHeld()).toBe(false);
    await first!.release();
    expect((await ssm.getParameter('/l')).value).toContain('"b"');
  });

  test('past its margin a run leaves its lease to expire instead of deleting it', async () => {
    const { clock, ssm, lease } = setup();
    const held = await lease('a');
    clock.advance(900_000 - LEASE_MARGIN_MS);
    await held!.release();
    expect((await ssm.getParameter('/l')).value).toContain('"a"');
  });
});

/** The SSM double behind an interceptor: the lease's calls recorded, hooks to race it. */
function racedSetup() {
  const clock = new ManualClock(T0);
  const ssm = new InMemorySsm(clock);
  const spy = intercept<SsmPort>(ssm);
  const lease = (holder: string) =>
    acquireLease({ ssm: spy.port, clock, parameterName: '/l', ttlSeconds: 900, holder });
  const put = (holder: string, expiresAtMs: number) =>
    ssm.putParameter({ name: '/l', value: JSON.stringify({ holder, expiresAtMs }), type: 'String', overwrite: false });
  return { clock, ssm, spy, lease, put };
}

describe('acquireLease under races and at its edges', () => {
  test('is a plain String parameter that says what it is', async () => {
    const { spy, lease } = racedSetup();
    const requests: unknown[] = [];
    spy.before('putParameter', ({ args: [request] }) => void requests.push(request));
    await lease('a');
    expect(requests[0]).toMatchObject({
      name: '/l',
      type: 'String',
      overwrite: false,
      description: 'github-runner-fleet scale-down lease',
    });
  });

  test('a run stops acting a full minute before its lease expires', async () => {
    const { clock, lease } = racedSetup();
    const held = await lease('a');
    clock.advance(900_000 - 59_000);
    expect(await held!.stillHeld()).toBe(false);
  });

  test('a value of the wrong shape is treated as expired', async () => {
    const { ssm, lease } = racedSetup();
    await ssm.putParameter({ name: '/l', value: '{"holder":""}', type: 'String', overwrite: false });
    expect((await lease('a'))?.holder).toBe('a');
  });

  test('a lease that vanished between the failed create and the read: created, nothing deleted', async () => {
    // Prepare: another run's lease exists when this run creates, and is released before it reads
    const { spy, ssm, lease, put } = racedSetup();
    await put('other', T0 + 900_000);
    spy.before('getParameter', async () => {
      if (spy.calls.filter((c) => c === 'getParameter').length === 1) await ssm.deleteParameter('/l');
    });
    // Act
    const held = await lease('a');
    // Assess
    expect(held?.holder).toBe('a');
    expect(spy.calls).not.toContain('deleteParameter');
  });

  test('an expired lease another run deleted first: this run still creates its own', async () => {
    const { clock, spy, ssm, lease, put } = racedSetup();
    await put('old', T0 - 1);
    clock.advance(1);
    spy.before('deleteParameter', async () => {
      await ssm.deleteParameter('/l'); // the other run was faster: this delete finds nothing
    });
    expect((await lease('a'))?.holder).toBe('a');
  });

  test('a run whose fresh lease another run replaced right after the create does not get it', async () => {
    const { spy, ssm, lease } = racedSetup();
    spy.after('putParameter', async () => {
      if (spy.calls.filter((c) => c === 'putParameter').length !== 1) return;
      await ssm.deleteParameter('/l');
      await ssm.putParameter({
        name: '/l',
        value: JSON.stringify({ holder: 'b', expiresAtMs: T0 + 900_000 }),
        type: 'String',
        overwrite: false,
      });
    });
    expect(await lease('a')).toBeUndefined();
    expect((await ssm.getParameter('/l')).value).toContain('"b"');
  });
});
