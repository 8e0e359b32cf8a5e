import { createAwsPorts } from '../../adapters/aws/index.js';
import { OctokitGitHub } from '../../adapters/github/index.js';
import type { GitHubConfig } from '../../config/schema.js';
import type { Log } from '../../observability/types.js';
import { systemClock, type Ports } from '../../ports/index.js';

/**
 * The production wiring of every port: AWS SDK v3 clients (region and credentials from the
 * Lambda runtime) and Octokit authenticated as the GitHub App whose credentials live in SSM.
 * Called once per container, at cold start.
 */
export function createProductionPorts(tools: {
  readonly config: { readonly github: GitHubConfig };
  readonly log: Log;
}): Ports {
  const aws = createAwsPorts();
  const github = new OctokitGitHub({
    config: tools.config.github,
    ssm: aws.ssm,
    clock: systemClock,
    settings: { log: tools.log },
  });
  return { github, ec2: aws.ec2, ssm: aws.ssm, sqs: aws.sqs, clock: systemClock };
}
