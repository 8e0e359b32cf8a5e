import { describe, expect, test } from '@jest/globals';
import { LEASE_MARGIN_MS, acquireLease } from '../../../src/core/scale-down/lease.js';
import { InMemorySsm, ManualClock } from '../../../src/sim/memory/index.js';
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
