/** A minimal valid configuration, as Terraform renders it (only required keys). */
export const validPool = {
  owner: 'acme',
  ownerType: 'org',
  labels: ['linux-x64'],
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-linux',
  queueArn: 'arn:aws:sqs:eu-west-1:123456789012:ghr-linux',
  deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-linux-dlq',
  maxRunners: 10,
  launchTemplateName: 'ghr-linux',
  instanceTypes: ['m7i.large'],
  subnetIds: ['subnet-0abc'],
} as const;

export const validGithub = {
  appIdParameter: '/ghr/github/app-id',
  privateKeyParameter: '/ghr/github/private-key',
} as const;

export const validScaleDownConfig = {
  environment: 'ghr-test',
  github: validGithub,
  pools: { linux: validPool },
  lease: { parameterName: '/ghr/scale-down/lease' },
  runnerConfigPath: '/ghr/runners',
};
