import { createHmac } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { createEc2Port } from '../../../src/adapters/aws/ec2.js';
import { createSsmPort } from '../../../src/adapters/aws/ssm.js';
import { OctokitGitHub } from '../../../src/adapters/github/index.js';
import { loadScenario } from '../../../src/sim/scenarios/load.js';
import { startServe, type ServeHandle } from '../../../src/sim/serve/serve.js';
import type { Endpoints } from '../../../src/sim/serve/session.js';
import { serveHarness } from './harness.js';

const harness = serveHarness();

async function serve(scenario = 'steady', seed = 1): Promise<ServeHandle> {
  return harness.track(await startServe({ scenario: loadScenario(scenario), seed, port: 0 }));
}

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(handle: ServeHandle, method: string, path: string, body?: string): Promise<Reply> {
  const response = await fetch(`${handle.controlUrl}${path}`, { method, ...(body === undefined ? {} : { body }) });
  const parsed: unknown = await response.json();
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  return { status: response.status, body: Object.fromEntries(Object.entries(parsed)) };
}

const awsClients = (endpoints: Endpoints) => harness.awsClients(endpoints);

describe('npm start -- --serve: control API', () => {
  test('the clock starts at the epoch and moves only on advance; jobs arrive, nothing launches without an autoscaler', async () => {
    // Prepare
    const handle = await serve();
    const before = await call(handle, 'GET', '/control/clock');

    // Act
    const advanced = await call(handle, 'POST', '/control/advance', JSON.stringify({ seconds: 600 }));
    const again = await call(handle, 'GET', '/control/clock');
    const accounting = await call(handle, 'GET', '/control/accounting');

    // Assess
    expect(before.body).toMatchObject({ elapsedSeconds: 0, now: '2026-01-05T00:00:00.000Z', seed: 1 });
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({ elapsedSeconds: 600, now: '2026-01-05T00:10:00.000Z' });
    expect(again.body).toEqual(advanced.body);
    expect(accounting.body).toMatchObject({ scenario: 'steady', strategy: 'external', instancesLaunched: 0 });
    expect(accounting.body['jobsSubmitted']).toBeGreaterThan(0);
    expect(accounting.body['jobsQueuedAtEnd']).toBe(accounting.body['jobsSubmitted']);
  });

  test('an external autoscaler with the production adapters: lists runners, launches with the pool tags, its runner works', async () => {
    // Prepare
    const handle = await serve();
    const endpoints = (await call(handle, 'GET', '/control/endpoints')).body;
    const e = handle.endpoints();
    expect(endpoints['ec2']).toBe(e.ec2);
    const pool = e.pools[0]!;
    const aws = awsClients(e);
    const ec2 = createEc2Port(aws.ec2);
    let virtualNow = Number((await call(handle, 'GET', '/control/clock')).body['nowMs']);
    const github = new OctokitGitHub({
      config: {
        apiUrl: e.github.ghes,
        appIdParameter: e.parameters.appId,
        privateKeyParameter: e.parameters.privateKey,
        installationIds: {},
        secretCacheSeconds: 300,
      },
      ssm: createSsmPort(aws.ssm),
      // The App's JWTs must be valid in virtual time; waits are advances, never real sleeps.
      clock: { now: () => virtualNow, sleep: () => Promise.resolve() },
      settings: { throttle: false, retry: false },
    });
    const owner = { kind: 'org', org: pool.owner } as const;
    const runnersBefore = await github.listRunners(owner);

    // Act: what an external scale-up does: launch from the pool's launch template (no special
    // tags), register a JIT runner named after the instance, store its config where the agent reads it.
    const launched = await ec2.createFleet({
      launchTemplateName: pool.launchTemplateName,
      overrides: [{ instanceType: 'm5.large', subnetId: 'subnet-0a' }],
      targetCapacity: 1,
      capacityType: 'on-demand',
      tags: {},
    });
    const instanceId = launched.instanceIds[0]!;
    const jit = await github.generateJitConfig(owner, { name: instanceId, labels: pool.labels, runnerGroupId: 1 });
    await createSsmPort(aws.ssm).putParameter({
      name: `${pool.runnerConfigPath}/${pool.name}/${instanceId}`,
      value: jit.encodedJitConfig,
      type: 'SecureString',
      overwrite: false,
    });
    virtualNow = Number((await call(handle, 'POST', '/control/advance', '{"seconds": 900}')).body['nowMs']);
    const instances = await ec2.listInstances({ tags: { 'ghr:pool': pool.name } });
    const runnersAfter = await github.listRunners(owner);
    const accounting = (await call(handle, 'GET', '/control/accounting')).body;

    // Assess
    expect(runnersBefore).toEqual([]);
    expect(launched.instanceIds).toHaveLength(1);
    expect(instances.map((i) => i.instanceId)).toEqual(launched.instanceIds);
    // Its one-job (JIT) runner took a job and went with it.
    expect(runnersAfter.map((r) => r.name)).not.toContain(instanceId);
    expect(accounting).toMatchObject({ instancesLaunched: 1, jobsKilled: 0 });
    expect(accounting['jobsCompleted']).toBeGreaterThanOrEqual(1);
    expect(Number(accounting['instanceHours'])).toBeGreaterThan(0);
    // The calls the caller made, as the facades received them: App authentication included, the
    // world's own reads behind a facade (the runner read back after a JIT config) left out.
    const byEndpoint = (accounting['accounting'] as { githubCallsByEndpoint: Record<string, { calls: number }> })
      .githubCallsByEndpoint;
    expect(Object.keys(byEndpoint).some((k) => k.includes('/access_tokens'))).toBe(true);
    expect(Object.keys(byEndpoint).filter((k) => /^GET .*\/actions\/runners\/\{[a-z_]+\}$/.test(k))).toEqual([]);
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const facades = accounting['facadeCalls'] as Record<'github' | 'ec2' | 'ssm' | 'sqs', Record<string, number>>;
    expect(accounting['githubCalls']).toBe(sum(facades.github));
    expect(accounting['awsCalls']).toBe(sum(facades.ec2) + sum(facades.ssm) + sum(facades.sqs));
    const byAction = (accounting['accounting'] as { awsCallsByAction: Record<string, number> }).awsCallsByAction;
    expect(byAction['ec2:CreateFleet']).toBe(1);
    expect(byAction['ssm:PutParameter']).toBe(1);
  });

  test('an orphan an external autoscaler terminates counts as reaped', async () => {
    // Prepare: an instance launched with no runner config never registers
    const handle = await serve();
    const e = handle.endpoints();
    const ec2 = createEc2Port(awsClients(e).ec2);
    const pool = e.pools[0]!;
    const launched = await ec2.createFleet({
      launchTemplateName: pool.launchTemplateName,
      overrides: [{ instanceType: 'm5.large', subnetId: 'subnet-0a' }],
      targetCapacity: 1,
      capacityType: 'on-demand',
      tags: {},
    });

    // Act: past its boot, the caller reaps it
    await call(handle, 'POST', '/control/advance', '{"seconds": 300}');
    await ec2.terminateInstances(launched.instanceIds);
    await call(handle, 'POST', '/control/advance', '{"seconds": 60}');
    const accounting = (await call(handle, 'GET', '/control/accounting')).body;

    // Assess
    expect((accounting['accounting'] as { orphansReaped: number }).orphansReaped).toBe(1);
  });

  test('webhooks are recorded, signed with the secret the SSM facade holds, for the pool owner’s installation', async () => {
    // Prepare
    const handle = await serve();
    const e = handle.endpoints();
    const ssm = createSsmPort(awsClients(e).ssm);

    // Act
    await call(handle, 'POST', '/control/advance', '{"seconds": 600}');
    const all = (await call(handle, 'GET', '/control/webhooks')).body;
    const later = (await call(handle, 'GET', '/control/webhooks?after=1')).body;
    const secret = await ssm.getParameter(e.parameters.webhookSecret);

    // Assess
    const deliveries = all['deliveries'];
    if (!Array.isArray(deliveries) || deliveries.length === 0) throw new Error('no deliveries');
    expect(all['last']).toBe(deliveries.length);
    expect(later['deliveries']).toHaveLength(deliveries.length - 1);
    const first: unknown = deliveries[0];
    if (typeof first !== 'object' || first === null || !('body' in first) || !('headers' in first)) {
      throw new Error('delivery without body');
    }
    const body = String(first.body);
    const expected = `sha256=${createHmac('sha256', secret.value).update(body).digest('hex')}`;
    expect(first.headers).toMatchObject({ 'x-github-event': 'workflow_job', 'x-hub-signature-256': expected });
    // What GitHub sends and someone else's autoscaler may read: the owner's type, the organization.
    expect(JSON.parse(body)).toMatchObject({
      action: 'queued',
      installation: { id: e.pools[0]!.installationId },
      repository: { owner: { login: 'acme', type: 'Organization' }, full_name: expect.stringMatching(/^acme\//) },
      organization: { login: 'acme' },
      sender: { type: 'Bot' },
      workflow_job: { status: 'queued', runner_id: null, labels: expect.any(Array) },
    });
  });

  test('reset with a seed starts a fresh world of the same scenario on new facades', async () => {
    // Prepare
    const handle = await serve('burst', 1);
    const before = handle.endpoints();
    await call(handle, 'POST', '/control/advance', '{"seconds": 1200}');

    // Act
    const reset = await call(handle, 'POST', '/control/reset', '{"seed": 7}');
    const clock = (await call(handle, 'GET', '/control/clock')).body;
    const accounting = (await call(handle, 'GET', '/control/accounting')).body;
    const after = handle.endpoints();
    const ec2Answer = await fetch(after.ec2, {
      method: 'POST',
      // Signatures are not verified; the header must be there (a shell script can send any value).
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 x' },
      body: 'Action=DescribeInstances&Version=2016-11-15',
    });

    // Assess
    expect(reset.status).toBe(200);
    expect(clock).toMatchObject({ elapsedSeconds: 0, seed: 7, scenario: 'burst' });
    expect(accounting).toMatchObject({ seed: 7, jobsSubmitted: 0 });
    expect(after.ec2).not.toBe(before.ec2);
    expect(ec2Answer.status).toBe(200);
    expect(await ec2Answer.text()).toContain('DescribeInstancesResponse');
  });

  test.each([
    ['POST', '/control/advance', '{"seconds": "ten"}', 400],
    ['POST', '/control/advance', '{"seconds": -5}', 400],
    ['POST', '/control/advance', '{"seconds": 1e9}', 400],
    ['POST', '/control/advance', '{seconds: 5', 400],
    ['POST', '/control/advance', '', 400],
    ['POST', '/control/reset', '{"seed": 1.5}', 400],
    ['POST', '/control/reset', '{"seed": 1, "extra": true}', 400],
    ['GET', '/control/webhooks?after=-1', undefined, 400],
    ['GET', '/control/advance', undefined, 405],
    ['GET', '/control/nothing', undefined, 404],
  ])('%s %s %s → %d with a message', async (method, path, body, status) => {
    // Prepare
    const handle = await serve();

    // Act
    const reply = await call(handle, method, path, body);
    const clock = (await call(handle, 'GET', '/control/clock')).body;

    // Assess
    expect(reply.status).toBe(status);
    expect(typeof reply.body['error']).toBe('string');
    expect(clock['elapsedSeconds']).toBe(0);
  });

  test('shutdown answers, then closes the control API and the facades', async () => {
    // Prepare
    const handle = await serve();
    const e = handle.endpoints();

    // Act
    const reply = await call(handle, 'POST', '/control/shutdown');
    await handle.closed;

    // Assess
    expect(reply.status).toBe(200);
    await expect(fetch(`${handle.controlUrl}/control/clock`)).rejects.toThrow();
    await expect(fetch(`${e.github.root}/app`)).rejects.toThrow();
  });
});
