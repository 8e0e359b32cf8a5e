import { describe, expect, it } from '@jest/globals';
import { handler as runnerCache } from '../../src/functions/runner-cache/handler.js';
import { handler as scaleDown } from '../../src/functions/scale-down/handler.js';
import { handler as scaleUp } from '../../src/functions/scale-up/handler.js';
import { handler as webhook } from '../../src/functions/webhook/handler.js';
import { ConfigError } from '../../src/errors.js';
import { captureOutput, lambdaContext } from '../support/capture-stdout.js';

/** What Terraform deploys is `index.handler`: it must be the middy chain, not the bare function. */
type Invoke = (context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const exported: [string, { use: unknown; before: unknown; after: unknown }, Invoke][] = [
  ['webhook', webhook, (context) => webhook({ headers: {}, body: '' } as never, context)],
  ['scale-up', scaleUp, (context) => scaleUp({ Records: [] } as never, context)],
  ['scale-down', scaleDown, (context) => scaleDown({}, context)],
  ['runner-cache', runnerCache, (context) => runnerCache({}, context)],
];

describe.each(exported)('%s handler export', (name, handler, invoke) => {
  it('is the middy-wrapped handler', () => {
    expect(typeof handler.use).toBe('function');
    expect(typeof handler.before).toBe('function');
    expect(typeof handler.after).toBe('function');
  });

  it('fails a missing configuration with a ConfigError and logs it with the request id', async () => {
    const previous = process.env['FLEET_CONFIG'];
    delete process.env['FLEET_CONFIG'];
    try {
      const { error, lines } = await captureOutput(() => invoke(lambdaContext(`req-${name}`)));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`${name}: environment variable FLEET_CONFIG is not set`);
      expect(lines.some((l) => l.includes('"cold start failed"') && l.includes(`req-${name}`))).toBe(true);
    } finally {
      if (previous !== undefined) process.env['FLEET_CONFIG'] = previous;
    }
  });
});
