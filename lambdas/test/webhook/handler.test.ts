import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { handler, createWebhookHandler } from '../../src/functions/webhook/handler.js';
import { createLogger } from '../../src/observability/logger.js';
import type { SsmPort } from '../../src/ports/index.js';
import { captureOutput, lambdaContext } from '../support/capture-stdout.js';
import {
  httpEvent,
  jobPayload,
  ORG_QUEUE,
  queued,
  rawWebhookConfig,
  SECRET,
  SECRET_PARAMETER,
  world,
} from './fixtures.js';

const parse = (lines: string[]) =>
  lines.filter((l) => l.startsWith('{')).map((l) => z.record(z.string(), z.unknown()).parse(JSON.parse(l)));

describe('webhook handler', () => {
  it('exports the middy-wrapped handler', () => {
    expect(typeof handler.use).toBe('function');
    expect(typeof handler.before).toBe('function');
  });

  it('wires configuration, ports, logger and metrics end to end', async () => {
    // Prepare
    const w = await world();
    let secretReads = 0;
    const ssm: SsmPort = {
      getParameter: async (name) => {
        secretReads += 1;
        return w.ssm.getParameter(name);
      },
      getParameters: (names) => w.ssm.getParameters(names),
      putParameter: (request) => w.ssm.putParameter(request),
      deleteParameter: (name) => w.ssm.deleteParameter(name),
      listParameters: (path) => w.ssm.listParameters(path),
    };
    const fn = createWebhookHandler({
      rawConfig: JSON.stringify(rawWebhookConfig()),
      deps: { ssm, sqs: w.sqs, ec2: w.ec2, clock: w.clock },
      logger: createLogger({ serviceName: 'webhook' }),
    });

    // Act
    const { result, lines } = await captureOutput(async () => {
      await fn(httpEvent(jobPayload({ jobId: 1 }), { delivery: 'd1' }), lambdaContext('r1'));
      return fn(httpEvent(jobPayload({ jobId: 2 }), { delivery: 'd2' }), lambdaContext('r2'));
    });

    // Assess
    expect(result?.statusCode).toBe(202);
    expect(await queued(w, ORG_QUEUE)).toBe(2);
    expect(secretReads).toBe(1);
    const entries = parse(lines);
    expect(
      entries.filter((e) => e['message'] === 'job queued for scale-up').map((e) => e['function_request_id']),
    ).toEqual(['r1', 'r2']);
    // Metrics are flushed as EMF once per invocation.
    expect(lines.filter((l) => l.includes('"WebhookAccepted"')).length).toBe(2);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(SECRET_PARAMETER).toMatch(/^\//);
  });

  it('answers any event shape with 400, never a runtime error (the function is internet-facing)', async () => {
    // Prepare
    const w = await world();
    const fn = createWebhookHandler({
      rawConfig: JSON.stringify(rawWebhookConfig()),
      deps: { ssm: w.ssm, sqs: w.sqs, ec2: w.ec2, clock: w.clock },
    });
    const shapes: unknown[] = [
      null,
      undefined,
      0,
      'POST /webhook',
      [],
      {},
      { headers: 'x', body: 7 },
      { headers: null, body: null },
      { headers: ['content-type'], body: '{}', isBase64Encoded: 'yes' },
    ];
    // Act
    const { result } = await captureOutput(async () => {
      const answers: unknown[] = [];
      // The handler's event type is the HTTP API's; the point is what else can reach it.
      const invoke = fn as unknown as (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
      for (const shape of shapes) answers.push((await invoke(shape, lambdaContext('r'))).statusCode);
      return answers;
    });
    // Assess
    // The last shape parses (array headers read as none) but carries no JSON content type: 415.
    // What matters is a 4xx for every shape, never a runtime error.
    expect(result).toEqual([...shapes.slice(0, -1).map(() => 400), 415]);
    expect(await queued(w, ORG_QUEUE)).toBe(0);
  });

  it('fails every invocation of a container with a bad configuration, naming the key', async () => {
    const w = await world();
    const fn = createWebhookHandler({
      rawConfig: JSON.stringify(rawWebhookConfig({ maxBodyBytes: 1 })),
      deps: { ssm: w.ssm, sqs: w.sqs, ec2: w.ec2, clock: w.clock },
    });
    const { error, lines } = await captureOutput(() => fn(httpEvent(jobPayload()), lambdaContext()));
    expect(String(error)).toContain('maxBodyBytes');
    expect(lines.join('\n')).toContain('cold start failed');
    expect(await queued(w)).toBe(0);
  });
});
