export { createAwsClients, createEc2Client, createSqsClient, createSsmClient } from './clients.js';
export type { AwsClientOptions, AwsClients } from './clients.js';
export { createEc2Port, SdkEc2 } from './ec2.js';
export { createSsmPort, SdkSsm } from './ssm.js';
export { createSqsPort, SdkSqs } from './sqs.js';
export { cachedSsm } from './ssm-cache.js';
export { mapAwsError } from './errors.js';

import type { Ec2Port, SqsPort, SsmPort } from '../../ports/index.js';
import { createAwsClients, type AwsClientOptions } from './clients.js';
import { createEc2Port } from './ec2.js';
import { createSqsPort } from './sqs.js';
import { createSsmPort } from './ssm.js';

/** The three AWS ports over fresh SDK clients. */
export function createAwsPorts(options: AwsClientOptions = {}): { ec2: Ec2Port; ssm: SsmPort; sqs: SqsPort } {
  const clients = createAwsClients(options);
  return { ec2: createEc2Port(clients.ec2), ssm: createSsmPort(clients.ssm), sqs: createSqsPort(clients.sqs) };
}
