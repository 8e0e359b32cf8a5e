import { afterEach } from '@jest/globals';
import { createAwsClients, type AwsClients } from '../../../src/adapters/aws/clients.js';
import type { ServeHandle } from '../../../src/sim/serve/serve.js';
import type { Endpoints } from '../../../src/sim/serve/session.js';

/**
 * What the `--serve` tests share: served worlds and AWS clients are closed after each test, and an
 * external caller's AWS clients point at the facades with credentials of its own.
 */
export function serveHarness() {
  const opened: ServeHandle[] = [];
  const clients: AwsClients[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) {
      c.ec2.destroy();
      c.ssm.destroy();
      c.sqs.destroy();
    }
    await Promise.all(opened.splice(0).map((h) => h.close()));
  });
  return {
    track(handle: ServeHandle): ServeHandle {
      opened.push(handle);
      return handle;
    },
    awsClients(endpoints: Endpoints): AwsClients {
      const created = createAwsClients({
        endpoints: { ec2: endpoints.ec2, ssm: endpoints.ssm, sqs: endpoints.sqs },
        region: endpoints.region,
        credentials: { accessKeyId: 'AKIDEXTERNAL', secretAccessKey: 'not-a-secret' },
        maxAttempts: 1,
      });
      clients.push(created);
      return created;
    },
  };
}
