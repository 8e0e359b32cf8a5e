/**
 * Builds the AWS SDK v3 clients. Production passes only `region` (or nothing: the Lambda runtime
 * provides it); the simulator points the real SDK at its HTTP facades with `endpoint`, dummy
 * `credentials`, `maxAttempts: 1` and a `requestHandler` that counts in-flight requests.
 */
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';

export interface AwsClientOptions {
  readonly region?: string;
  /** One endpoint for every service (like AWS_ENDPOINT_URL); `endpoints` wins per service. */
  readonly endpoint?: string;
  readonly endpoints?: { readonly ec2?: string; readonly ssm?: string; readonly sqs?: string };
  readonly credentials?: EC2ClientConfig['credentials'];
  readonly maxAttempts?: number;
  readonly requestHandler?: EC2ClientConfig['requestHandler'];
}

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
}

/** Only the keys that are set: the SDK treats an explicit `undefined` differently from a missing key in places. */
function common(options: AwsClientOptions, endpoint: string | undefined) {
  const config: {
    region?: string;
    endpoint?: string;
    credentials?: EC2ClientConfig['credentials'];
    maxAttempts?: number;
    requestHandler?: EC2ClientConfig['requestHandler'];
  } = {};
  if (options.region !== undefined) config.region = options.region;
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  if (options.requestHandler !== undefined) config.requestHandler = options.requestHandler;
  return config;
}

export function createEc2Client(options: AwsClientOptions = {}): EC2Client {
  const config: EC2ClientConfig = common(options, options.endpoints?.ec2 ?? options.endpoint);
  return new EC2Client(config);
}

export function createSsmClient(options: AwsClientOptions = {}): SSMClient {
  const config: SSMClientConfig = common(options, options.endpoints?.ssm ?? options.endpoint);
  return new SSMClient(config);
}

export function createSqsClient(options: AwsClientOptions = {}): SQSClient {
  const config: SQSClientConfig = common(options, options.endpoints?.sqs ?? options.endpoint);
  return new SQSClient(config);
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  return { ec2: createEc2Client(options), ssm: createSsmClient(options), sqs: createSqsClient(options) };
}
