import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import {
  authorizeCreateTags,
  authorizeSendMessage,
  authorizeSsm,
  type RunnerPrincipal,
} from '../../src/sim/world/hostile/iam.js';

/** The simulator's model of the runner role (sim/world/hostile/iam.ts) against what the honest agent needs and iam.tf says. */
const ARN = 'arn:aws:ec2:eu-west-1:123456789012:instance/';
const self: RunnerPrincipal = {
  instanceArn: `${ARN}i-1`,
  pool: 'linux',
  environment: 'sim',
  runnerConfigPath: '/sim/runners',
  fleetParameterPath: '/sim',
  githubParameters: ['/sim/github/private-key'],
  recycleQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:sim-linux-recycle',
};
const own = { 'ghr:instance-arn': `${ARN}i-1` };
const other = { 'ghr:instance-arn': `${ARN}i-2` };

describe('runner role model', () => {
  test('allows what the honest agent does: its own config, its own agent tag, its own recycle queue', () => {
    expect(authorizeSsm(self, 'ssm:GetParameter', '/sim/runners/linux/i-1', own).allowed).toBe(true);
    expect(authorizeSsm(self, 'ssm:DeleteParameter', '/sim/runners/linux/i-1', own).allowed).toBe(true);
    const me = { instanceArn: `${ARN}i-1`, tags: { 'ghr:environment': 'sim' } };
    expect(authorizeCreateTags(self, me, ['ghr:agent-state']).allowed).toBe(true);
    expect(authorizeSendMessage(self, self.recycleQueueArn!).allowed).toBe(true);
  });

  test('denies the rest: other configs, listings, the App key, other tags and instances, other queues', () => {
    expect(authorizeSsm(self, 'ssm:GetParameter', '/sim/runners/linux/i-2', other).allowed).toBe(false);
    expect(
      authorizeSsm(self, 'ssm:GetParameter', '/sim/runners/gpu/i-3', { 'ghr:instance-arn': `${ARN}i-3` }).allowed,
    ).toBe(false);
    // A parameter of another pool mistakenly tagged with its ARN: the path still denies.
    expect(authorizeSsm(self, 'ssm:DeleteParameter', '/sim/runners/gpu/i-1', own).allowed).toBe(false);
    expect(authorizeSsm(self, 'ssm:GetParametersByPath', '/sim/runners', undefined).allowed).toBe(false);
    expect(authorizeSsm(self, 'ssm:GetParameter', '/sim/github/private-key', undefined).allowed).toBe(false);
    const me = { instanceArn: `${ARN}i-1`, tags: { 'ghr:environment': 'sim' } };
    expect(authorizeCreateTags(self, me, ['ghr:lifecycle']).allowed).toBe(false);
    expect(authorizeCreateTags(self, { ...me, instanceArn: `${ARN}i-2` }, ['ghr:agent-state']).allowed).toBe(false);
    expect(authorizeSendMessage(self, 'arn:aws:sqs:eu-west-1:123456789012:sim-linux').allowed).toBe(false);
    const { recycleQueueArn: _none, ...ephemeral } = self;
    expect(authorizeSendMessage(ephemeral, self.recycleQueueArn!).allowed).toBe(false);
  });

  test('mirrors modules/runner-pool/iam.tf (statement ids, agent tag keys, conditions)', () => {
    const tf = readFileSync(new URL('../../../modules/runner-pool/iam.tf', import.meta.url), 'utf8');
    for (const sid of [
      'TagOnlyItself',
      'ReadAndDeleteOwnRunnerConfig',
      'NeverReadOtherRegistrations',
      'NeverReadGitHubApp',
      'NeverListFleetParameters',
      'RequestRecycle',
    ]) {
      expect(tf).toContain(`sid       = "${sid}"`);
    }
    expect(tf).toContain('agent_tag_keys = ["ghr:agent-state"]');
    expect(tf).toContain('actions   = ["ssm:GetParameter", "ssm:DeleteParameter"]');
    expect(tf).toContain('for_each = var.recycle_queue == null ? [] : [var.recycle_queue.arn]');
    expect(tf).not.toMatch(/DeleteTags|TerminateInstances|PutParameter/);
  });
});
