import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import { Engine } from '../../../src/sim/engine/engine.js';
import { Quiescence } from '../../../src/sim/http/quiescence.js';

/**
 * A server that answers requests only once the test says so: those waiting then, and any arriving
 * later (on a busy machine the request may reach the server after the release: it must not wait
 * for a release that already happened).
 */
async function heldServer(): Promise<{ server: Server; url: string; release: () => void }> {
  const waiting: (() => void)[] = [];
  let released = false;
  const server = createServer((_req, res) => {
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    };
    if (released) answer();
    else waiting.push(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const release = (): void => {
    released = true;
    waiting.splice(0).forEach((answer) => answer());
  };
  return { server, url: `http://127.0.0.1:${port}/`, release };
}

describe('Quiescence (the HTTP door settle)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('virtual time waits for a request in flight, then runs the invocation to its next virtual sleep', async () => {
    // Prepare: an invocation that fetches, then sleeps 10 s of virtual time, then finishes.
    const { server, url, release } = await heldServer();
    servers.push(server);
    const q = new Quiescence();
    const engine = new Engine({ startMs: 0, settle: q.settle });
    const clock = q.clock(engine.clock);
    const steps: string[] = [];
    const fetchCounted = q.fetch();
    engine.at(0, 'start', () => {
      engine.invoke(() =>
        q.run('test', async () => {
          const body: unknown = await (await fetchCounted(url)).json();
          steps.push(`answered at ${engine.now}: ${JSON.stringify(body)}`);
          await clock.sleep(10_000);
          steps.push(`woke at ${engine.now}`);
        }),
      );
    });
    setTimeout(release, 50);

    // Act
    await engine.run(60_000);

    // Assess: the answer came at virtual 0 (time stood still for it); the sleep took 10 virtual seconds.
    expect(steps).toEqual(['answered at 0: {"ok":true}', 'woke at 10000']);
    expect(q.requests).toBe(1);
  });
});
