import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { defineHandler } from '../../src/functions/shared/define-handler.js';
import { secrets } from '../../src/observability/redact.js';
import { captureOutput, lambdaContext } from '../support/capture-stdout.js';

const schema = z.strictObject({
  environment: z.string(),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  limit: z.number().int(),
});

function makeHandler(rawConfig: string | undefined, onHandle: (event: { n: number }) => void = () => {}) {
  let inits = 0;
  const handler = defineHandler(
    {
      functionName: 'test-fn',
      schema,
      init: () => ({ inits: ++inits }),
      handle: async (event: { n: number }, deps, tools) => {
        onHandle(event);
        tools.log.info('handled', { limit: tools.config.limit, inits: deps.inits });
        tools.logger.appendKeys({ eventNumber: event.n });
        tools.log.info('after append');
        tools.metrics.count('handled');
        return { ok: true, inits: deps.inits };
      },
    },
    { rawConfig },
  );
  return handler;
}

const parse = (lines: string[]) =>
  lines.filter((l) => l.startsWith('{')).map((l) => z.record(z.string(), z.unknown()).parse(JSON.parse(l)));

describe('defineHandler', () => {
  it('returns the middy-wrapped handler', () => {
    const handler = makeHandler('{}');
    expect(typeof handler.use).toBe('function');
    expect(typeof handler.before).toBe('function');
    expect(typeof handler.onError).toBe('function');
  });

  it('parses the configuration once per container and logs with the invocation context', async () => {
    // Prepare
    const handler = makeHandler(JSON.stringify({ environment: 'e', limit: 3 }));

    // Act
    const { result, lines } = await captureOutput(async () => {
      await handler({ n: 1 }, lambdaContext('req-1'));
      return handler({ n: 2 }, lambdaContext('req-2'));
    });

    // Assess
    expect(result).toEqual({ ok: true, inits: 1 });
    const handled = parse(lines).filter((l) => l['message'] === 'handled');
    expect(handled.map((l) => l['function_request_id'])).toEqual(['req-1', 'req-2']);
    expect(handled.map((l) => l['limit'])).toEqual([3, 3]);
    // resetKeys: keys appended in one invocation do not leak into the next one
    expect(handled.some((l) => l['eventNumber'] !== undefined)).toBe(false);
    expect(
      parse(lines)
        .filter((l) => l['message'] === 'after append')
        .map((l) => l['eventNumber']),
    ).toEqual([1, 2]);
    // EMF metrics are flushed per invocation, with the deployment's environment as a dimension
    const emf = parse(lines).filter((l) => l['_aws'] !== undefined && l['handled'] !== undefined);
    expect(emf).toHaveLength(2);
    expect(emf.map((l) => [l['service'], l['environment']])).toEqual([
      ['test-fn', 'e'],
      ['test-fn', 'e'],
    ]);
    expect(JSON.stringify(emf[0]?.['_aws'])).toContain('"environment"');
  });

  it('fails every invocation of a badly configured container with one error naming every bad key', async () => {
    // Prepare
    let handled = 0;
    const handler = makeHandler(JSON.stringify({ environment: 7, limit: 'x', extra: true }), () => handled++);

    // Act
    const first = await captureOutput(() => handler({ n: 1 }, lambdaContext('a')));
    const second = await captureOutput(() => handler({ n: 2 }, lambdaContext('b')));

    // Assess
    for (const outcome of [first, second]) {
      expect(outcome.error).toBeInstanceOf(ConfigError);
      const message = (outcome.error as ConfigError).message;
      expect(message).toContain('3 invalid keys');
      expect(message).toContain('environment:');
      expect(message).toContain('limit:');
      expect(message).toContain('extra: unknown key');
      expect(parse(outcome.lines).some((l) => l['message'] === 'cold start failed')).toBe(true);
    }
    expect(handled).toBe(0);
  });

  it('never prints the GitHub App key, an installation token or a JIT config', async () => {
    // Prepare
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const base64Key = Buffer.from(pem).toString('base64');
    const token = 'ghs_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4';
    const jit = Buffer.from(JSON.stringify({ '.runner': 'x'.repeat(40), '.credentials': 'y'.repeat(40) })).toString(
      'base64',
    );
    secrets.register(base64Key);
    secrets.register(jit);
    const handler = defineHandler(
      {
        functionName: 'leaky-fn',
        schema,
        init: () => ({}),
        handle: async (_event: unknown, _deps, tools) => {
          tools.log.info('about to call GitHub', { installationToken: token, appKey: base64Key });
          tools.log.warn('an upstream error', { detail: `request failed: ${token} ${jit}` });
          tools.logger.error('wrapped', new Error(`key was ${pem}`));
          throw new Error(`call failed with ${base64Key}`);
        },
      },
      { rawConfig: JSON.stringify({ environment: 'e', limit: 1 }) },
    );

    // Act
    const { error, lines } = await captureOutput(() => handler({}, lambdaContext()));

    // Assess
    expect(error).toBeInstanceOf(Error);
    const output = lines.join('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const secret of [pem, base64Key, token, jit, ...pem.split('\n').filter((l) => l.length > 40)]) {
      expect(output).not.toContain(secret);
    }
  });
  describe('early timeout', () => {
    // The handler resolves on a 30 ms timer; the context leaves 6 ms, so middy's own timer (6 - 5 ms)
    // is due first. Node fires timers in deadline order, so the outcome does not depend on machine speed.
    const slowHandler = (timeoutEarly?: boolean) =>
      defineHandler(
        {
          functionName: 'slow-fn',
          schema,
          init: () => ({}),
          handle: () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 30)),
        },
        {
          rawConfig: JSON.stringify({ environment: 'e', limit: 1 }),
          ...(timeoutEarly === undefined ? {} : { timeoutEarly }),
        },
      );
    const shortContext = () => ({ ...lambdaContext(), getRemainingTimeInMillis: () => 6 });

    it('aborts a handler that outlives the invocation by default (production)', async () => {
      const { error } = await captureOutput(() => slowHandler()({}, shortContext()));
      expect(error).toMatchObject({ name: 'TimeoutError' });
    });

    it('is off with timeoutEarly: false (the simulator: invocations live on virtual time)', async () => {
      const { result } = await captureOutput(() => slowHandler(false)({}, shortContext()));
      expect(result).toBe('done');
    });
  });
});
