import { describe, expect, it } from '@jest/globals';
import { createScaleUpHandler, handler } from '../../src/functions/scale-up/handler.js';
import { encodeMessage } from '../../src/core/scale-up/messages.js';
import { createLogger } from '../../src/observability/logger.js';
import { captureOutput, lambdaContext } from '../support/capture-stdout.js';
import {
  CONFIG_PATH,
  jobAtGitHub,
  jobMessage,
  poolInstances,
  queueArnOf,
  rawScaleUpConfig,
  world,
} from './fixtures.js';

const sqsEvent = (...bodies: string[]) => ({
  Records: bodies.map((body, i) => ({ messageId: `m-${i + 1}`, body, eventSourceARN: queueArnOf('linux') })),
});

describe('scale-up handler', () => {
  it('exports the middy-wrapped handler', () => {
    expect(typeof handler.use).toBe('function');
    expect(typeof handler.before).toBe('function');
  });

  it('wires configuration, ports, logger and metrics and answers with batchItemFailures', async () => {
    // Prepare
    const w = world();
    jobAtGitHub(w, 1);
    const fn = createScaleUpHandler({
      rawConfig: JSON.stringify(rawScaleUpConfig()),
      deps: { github: w.github, ec2: w.ec2, ssm: w.ssm, sqs: w.sqs, clock: w.clock },
      logger: createLogger({ serviceName: 'scale-up' }),
    });

    // Act
    const { result, lines } = await captureOutput(() =>
      fn(
        sqsEvent(encodeMessage(jobMessage({ jobId: 1 })), encodeMessage(jobMessage({ jobId: 2 }))),
        lambdaContext('r1'),
      ),
    );

    // Assess: job 1 launched; job 2 unknown to GitHub, dropped.
    expect(result).toEqual({ batchItemFailures: [] });
    const [instance] = await poolInstances(w);
    const stored = (await w.ssm.getParameter(`${CONFIG_PATH}/linux/${instance?.instanceId ?? ''}`)).value;
    const log = lines.join('\n');
    expect(log).toContain('"message":"runner launched"');
    expect(log).toContain('"ScaleUpLaunched"');
    expect(log).not.toContain(stored);
  });
});
