import { afterEach, describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import type { RunnerOwner } from '../../../src/ports/github.js';
import { CONTRACT_ORG, CONTRACT_REPO } from '../../support/github-contract.js';
import { APP_ID, ORG_INSTALLATION, startStack, type Stack } from './stack.js';

const org: RunnerOwner = { kind: 'org', org: CONTRACT_ORG };
const listBody = z.object({ total_count: z.number(), runners: z.array(z.unknown()) });
const jitBody = z.looseObject({ runner: z.looseObject({ id: z.number() }), encoded_jit_config: z.string() });

describe('GitHub facade: wire format', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
  });

  async function seed(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      await stack.backend.generateJitConfig(org, { name: `r-${i}`, labels: ['fleet-a'], runnerGroupId: 1 });
    }
  }

  function get(path: string): Promise<Response> {
    const { token } = stack.facade.auth.issueToken(APP_ID, ORG_INSTALLATION);
    return fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `token ${token}` } });
  }

  test.each([false, true])('lists paginate with per_page ≤ 100 and a Link header (GHES: %s)', async (ghes) => {
    // Prepare
    stack = await startStack({ ghes });
    await seed(250);
    // Act
    const first = await get(`/orgs/${CONTRACT_ORG}/actions/runners?per_page=500`);
    const last = await get(`/orgs/${CONTRACT_ORG}/actions/runners?per_page=100&page=3`);
    // Assess
    const firstBody = listBody.parse(await first.json());
    expect(firstBody.total_count).toBe(250);
    expect(firstBody.runners).toHaveLength(100);
    expect(first.headers.get('link')).toBe(
      `<${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners?per_page=100&page=2>; rel="next", ` +
        `<${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners?per_page=100&page=3>; rel="last"`,
    );
    expect(listBody.parse(await last.json()).runners).toHaveLength(50);
    expect(last.headers.get('link')).toContain('rel="prev"');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  test('the adapter follows the Link header: 150 runners take two requests', async () => {
    stack = await startStack();
    await seed(150);
    expect(await stack.adapter.listRunners(org)).toHaveLength(150);
    expect(
      stack.facade.requests.filter((r) => r.endpoint === 'GET /orgs/{org}/actions/runners').map((r) => r.query),
    ).toEqual(['?per_page=100', '?per_page=100&page=2']);
  });

  test('runners, labels and JIT configs have GitHub’s snake_case shapes', async () => {
    // Prepare
    stack = await startStack();
    const { token } = stack.facade.auth.issueToken(APP_ID, ORG_INSTALLATION);
    const headers = { authorization: `token ${token}`, 'content-type': 'application/json' };
    const base = `${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners`;
    // Act
    const created = await fetch(`${base}/generate-jitconfig`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'r1', runner_group_id: 1, labels: ['fleet-a'] }),
    });
    const jit = jitBody.parse(await created.json());
    const labels = await fetch(`${base}/${jit.runner.id}/labels`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ labels: ['q'] }),
    });
    const registration = await fetch(`${base}/registration-token`, { method: 'POST', headers });
    // Assess
    expect(created.status).toBe(201);
    expect(jit).toEqual({
      runner: {
        id: jit.runner.id,
        name: 'r1',
        os: 'Linux',
        status: 'offline',
        busy: false,
        runner_group_id: 1,
        labels: [
          { id: expect.any(Number), name: 'self-hosted', type: 'read-only' },
          { id: expect.any(Number), name: 'Linux', type: 'read-only' },
          { id: expect.any(Number), name: 'X64', type: 'read-only' },
          { id: expect.any(Number), name: 'fleet-a', type: 'custom' },
        ],
      },
      encoded_jit_config: expect.any(String),
    });
    expect(await labels.json()).toMatchObject({
      total_count: 4,
      labels: expect.arrayContaining([{ id: expect.any(Number), name: 'q', type: 'custom' }]),
    });
    expect(registration.status).toBe(201);
    expect(await registration.json()).toEqual({
      token: expect.any(String),
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  test('a job answers with run_id, status, labels and runner fields', async () => {
    stack = await startStack();
    stack.backend.addJob(CONTRACT_REPO, {
      id: 9,
      runId: 8,
      status: 'queued',
      conclusion: null,
      labels: ['fleet-a'],
      runnerId: null,
      runnerName: null,
    });
    stack.directory.addInstallation(APP_ID, ORG_INSTALLATION, [CONTRACT_ORG, CONTRACT_REPO.owner]);
    const response = await get(`/repos/${CONTRACT_REPO.owner}/${CONTRACT_REPO.repo}/actions/jobs/9`);
    expect(await response.json()).toMatchObject({
      id: 9,
      run_id: 8,
      status: 'queued',
      conclusion: null,
      labels: ['fleet-a'],
      runner_id: null,
      runner_name: null,
    });
  });

  test('unknown routes and malformed bodies answer like GitHub, and are recorded', async () => {
    // Prepare
    stack = await startStack();
    const { token } = stack.facade.auth.issueToken(APP_ID, ORG_INSTALLATION);
    // Act
    const unknown = await get('/orgs/acme/nothing-here');
    const badJson = await fetch(`${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners/generate-jitconfig`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
      body: '{not json',
    });
    const badBody = await fetch(`${stack.apiUrl}/orgs/${CONTRACT_ORG}/actions/runners/generate-jitconfig`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
      body: JSON.stringify({ name: 'x' }),
    });
    // Assess
    expect([unknown.status, badJson.status, badBody.status]).toEqual([404, 400, 422]);
    expect(stack.facade.requests.map((r) => r.endpoint)).toEqual([
      'unmatched',
      'POST /orgs/{org}/actions/runners/generate-jitconfig',
      'POST /orgs/{org}/actions/runners/generate-jitconfig',
    ]);
    expect(stack.facade.calls()).toEqual({ unmatched: 1, 'POST /orgs/{org}/actions/runners/generate-jitconfig': 2 });
  });
});
