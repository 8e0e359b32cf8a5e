import { beforeEach, afterEach, describe, expect, test } from '@jest/globals';
import { ConflictError, FleetError, NotFoundError } from '../../src/errors.js';
import type { GitHubPort, RepoRef, RunnerOwner, WorkflowJob } from '../../src/ports/github.js';

/**
 * The behaviours every GitHubPort implementation must show: the in-process fake, the Octokit adapter
 * through the HTTP facade, and later the simulator's GitHub. The setup must install the app for
 * CONTRACT_ORG and CONTRACT_REPO and start from an empty GitHub.
 */
export const CONTRACT_ORG = 'acme';
export const CONTRACT_REPO: RepoRef = { owner: 'octo', repo: 'widgets' };

/** What the suite needs to shape GitHub beyond the port (GitHub's own doing, not the control plane's). */
export interface GitHubContractWorld {
  /** GitHub's REST `busy` flag of a runner. */
  setBusy(runnerId: number, busy: boolean): void | Promise<void>;
  /** A job's assignment consumed a JIT runner's registration (world-model.md, "ephemeral (JIT) runner"). */
  consumeRegistration(runnerId: number): void | Promise<void>;
  addJob(repo: RepoRef, job: WorkflowJob): void | Promise<void>;
}

export interface GitHubContractSubject {
  readonly port: GitHubPort;
  readonly world: GitHubContractWorld;
  /** The implementation's clock, for expiry checks. */
  readonly now: () => number;
  close(): Promise<void>;
}

const owners: readonly [string, RunnerOwner][] = [
  ['org', { kind: 'org', org: CONTRACT_ORG }],
  ['repo', { kind: 'repo', owner: CONTRACT_REPO.owner, repo: CONTRACT_REPO.repo }],
];

export function describeGitHubContract(name: string, setup: () => Promise<GitHubContractSubject>): void {
  describe(`GitHubPort contract: ${name}`, () => {
    let subject: GitHubContractSubject;
    let github: GitHubPort;
    beforeEach(async () => {
      subject = await setup();
      github = subject.port;
    });
    afterEach(async () => {
      await subject.close();
    });

    const jit = (owner: RunnerOwner, runnerName: string, labels: readonly string[] = ['fleet-a']) =>
      github.generateJitConfig(owner, { name: runnerName, labels, runnerGroupId: 1 });

    describe.each(owners)('%s runners', (_kind, owner) => {
      test('a JIT config registers a runner with default and custom labels', async () => {
        // Act
        const config = await jit(owner, 'runner-1', ['fleet-a', 'gpu']);
        const runner = await github.getRunner(owner, config.runnerId);
        // Assess
        expect(config.runnerName).toBe('runner-1');
        expect(config.encodedJitConfig.length).toBeGreaterThan(0);
        expect(runner).toMatchObject({ id: config.runnerId, name: 'runner-1', busy: false });
        expect(runner.labels).toEqual(
          expect.arrayContaining([
            { name: 'self-hosted', type: 'read-only' },
            { name: 'fleet-a', type: 'custom' },
            { name: 'gpu', type: 'custom' },
          ]),
        );
        if (owner.kind === 'org') expect(runner.runnerGroupId).toBe(1);
        expect((await github.listRunners(owner)).map((r) => r.id)).toEqual([config.runnerId]);
      });

      test('lists every runner across pages (more than 100)', async () => {
        // Prepare
        const created: number[] = [];
        for (let i = 0; i < 150; i += 1) created.push((await jit(owner, `r-${i}`)).runnerId);
        // Act
        const runners = await github.listRunners(owner);
        // Assess
        expect(runners.map((r) => r.id).sort((a, b) => a - b)).toEqual([...created].sort((a, b) => a - b));
        expect(new Set(runners.map((r) => r.name)).size).toBe(150);
      });

      test('delete removes the registration: get and a second delete answer NotFound', async () => {
        // Prepare
        const { runnerId } = await jit(owner, 'doomed');
        const { runnerId: keptId } = await jit(owner, 'kept');
        // Act
        await github.deleteRunner(owner, runnerId);
        // Assess
        await expect(github.getRunner(owner, runnerId)).rejects.toBeInstanceOf(NotFoundError);
        await expect(github.deleteRunner(owner, runnerId)).rejects.toBeInstanceOf(NotFoundError);
        expect((await github.listRunners(owner)).map((r) => r.id)).toEqual([keptId]);
      });

      test('delete of a runner GitHub holds busy is a Conflict and leaves it registered', async () => {
        // Prepare
        const { runnerId } = await jit(owner, 'busy-one');
        await subject.world.setBusy(runnerId, true);
        // Act
        const refused = github.deleteRunner(owner, runnerId);
        // Assess
        await expect(refused).rejects.toBeInstanceOf(ConflictError);
        expect(await github.getRunner(owner, runnerId)).toMatchObject({ id: runnerId, busy: true });
        await subject.world.setBusy(runnerId, false);
        await github.deleteRunner(owner, runnerId);
        await expect(github.getRunner(owner, runnerId)).rejects.toBeInstanceOf(NotFoundError);
      });

      test('a JIT registration its job consumed answers NotFound to GET and DELETE', async () => {
        // Prepare
        const { runnerId } = await jit(owner, 'taken');
        // Act
        await subject.world.consumeRegistration(runnerId);
        // Assess: whether the list still shows it while the job runs is left open (no public evidence)
        await expect(github.getRunner(owner, runnerId)).rejects.toBeInstanceOf(NotFoundError);
        await expect(github.deleteRunner(owner, runnerId)).rejects.toBeInstanceOf(NotFoundError);
      });

      test('custom labels are replaced and removed; read-only labels stay', async () => {
        // Prepare
        const { runnerId } = await jit(owner, 'labelled', ['fleet-a']);
        // Act
        const set = await github.setCustomLabels(owner, runnerId, ['quarantined', 'x']);
        const seen = await github.getRunner(owner, runnerId);
        const removed = await github.removeCustomLabels(owner, runnerId);
        // Assess
        const custom = (labels: readonly { name: string; type: string }[]) =>
          labels
            .filter((l) => l.type === 'custom')
            .map((l) => l.name)
            .sort();
        expect(custom(set)).toEqual(['quarantined', 'x']);
        expect(custom(seen.labels)).toEqual(['quarantined', 'x']);
        expect(custom(removed)).toEqual([]);
        expect(removed.map((l) => l.name)).toContain('self-hosted');
        expect(removed.every((l) => l.type === 'read-only')).toBe(true);
        expect(custom((await github.getRunner(owner, runnerId)).labels)).toEqual([]);
      });

      test('unknown runners answer NotFound', async () => {
        await expect(github.getRunner(owner, 987654)).rejects.toBeInstanceOf(NotFoundError);
        await expect(github.setCustomLabels(owner, 987654, ['a'])).rejects.toBeInstanceOf(NotFoundError);
        await expect(github.removeCustomLabels(owner, 987654)).rejects.toBeInstanceOf(NotFoundError);
        await expect(github.deleteRunner(owner, 987654)).rejects.toBeInstanceOf(NotFoundError);
      });

      test('a registration token is a secret that expires in the future', async () => {
        // Act
        const token = await github.createRegistrationToken(owner);
        // Assess
        expect(token.token.length).toBeGreaterThanOrEqual(20);
        expect(token.expiresAtMs).toBeGreaterThan(subject.now());
      });
    });

    test("one owner's runners are not another's", async () => {
      // Prepare
      const [, org] = owners[0] ?? [];
      const [, repo] = owners[1] ?? [];
      if (!org || !repo) throw new Error('owners missing');
      const { runnerId } = await jit(org, 'org-runner');
      // Act + Assess
      await expect(github.getRunner(repo, runnerId)).rejects.toBeInstanceOf(NotFoundError);
      expect(await github.listRunners(repo)).toEqual([]);
    });

    describe('runner groups (org)', () => {
      const owner: RunnerOwner = { kind: 'org', org: CONTRACT_ORG };

      test('Default is group 1; created groups are listed with their repository access', async () => {
        // Act
        const quarantine = await github.createRunnerGroup(CONTRACT_ORG, {
          name: 'ghr-quarantine',
          visibility: 'selected',
        });
        const some = await github.createRunnerGroup(CONTRACT_ORG, {
          name: 'some-repos',
          visibility: 'selected',
          selectedRepositoryIds: [11, 12],
        });
        const groups = await github.listRunnerGroups(CONTRACT_ORG);
        // Assess
        expect(groups.find((g) => g.id === 1)).toMatchObject({ name: 'Default', visibility: 'all' });
        expect(groups.find((g) => g.id === quarantine.id)).toEqual({
          id: quarantine.id,
          name: 'ghr-quarantine',
          visibility: 'selected',
          selectedRepositoryIds: [],
        });
        expect(groups.find((g) => g.id === some.id)?.selectedRepositoryIds).toEqual([11, 12]);
        expect(quarantine.id).not.toBe(1);
      });

      test('a second group of the same name is a Conflict', async () => {
        await github.createRunnerGroup(CONTRACT_ORG, { name: 'twice', visibility: 'all' });
        await expect(
          github.createRunnerGroup(CONTRACT_ORG, { name: 'twice', visibility: 'all' }),
        ).rejects.toBeInstanceOf(ConflictError);
      });

      test('a runner moves into a group; unknown groups and runners answer NotFound', async () => {
        // Prepare
        const { runnerId } = await jit(owner, 'mover');
        const group = await github.createRunnerGroup(CONTRACT_ORG, { name: 'ghr-quarantine', visibility: 'selected' });
        // Act
        await github.addRunnerToGroup(CONTRACT_ORG, group.id, runnerId);
        // Assess
        expect((await github.getRunner(owner, runnerId)).runnerGroupId).toBe(group.id);
        await expect(github.addRunnerToGroup(CONTRACT_ORG, 4242, runnerId)).rejects.toBeInstanceOf(NotFoundError);
        await expect(github.addRunnerToGroup(CONTRACT_ORG, group.id, 987654)).rejects.toBeInstanceOf(NotFoundError);
      });

      test('a JIT config can place the runner in a group', async () => {
        const group = await github.createRunnerGroup(CONTRACT_ORG, { name: 'pool', visibility: 'all' });
        const { runnerId } = await github.generateJitConfig(owner, {
          name: 'g',
          labels: ['l'],
          runnerGroupId: group.id,
        });
        expect((await github.getRunner(owner, runnerId)).runnerGroupId).toBe(group.id);
      });
    });

    describe('jobs (repo)', () => {
      test('a job is read by id; an unknown id answers NotFound', async () => {
        // Prepare
        const job = {
          id: 5001,
          runId: 77,
          status: 'in_progress' as const,
          conclusion: null,
          labels: ['self-hosted', 'fleet-a'],
          runnerId: 3,
          runnerName: 'runner-3',
        };
        await subject.world.addJob(CONTRACT_REPO, job);
        // Act
        const read = await github.getJob(CONTRACT_REPO, 5001);
        // Assess
        expect(read).toEqual(job);
        await expect(github.getJob(CONTRACT_REPO, 5002)).rejects.toBeInstanceOf(NotFoundError);
      });

      test('a completed job is re-run once; one not completed, or re-run already, is refused for good', async () => {
        // Prepare
        const base = {
          runId: 78,
          conclusion: null,
          labels: ['self-hosted', 'fleet-a'],
          runnerId: null,
          runnerName: null,
        };
        await subject.world.addJob(CONTRACT_REPO, { ...base, id: 5101, status: 'completed', conclusion: 'failure' });
        await subject.world.addJob(CONTRACT_REPO, { ...base, id: 5102, runId: 79, status: 'in_progress' });
        const refusal = (attempt: Promise<void>) =>
          attempt.then(
            () => undefined,
            (error: unknown) => error,
          );
        // Act
        const first = await refusal(github.rerunJob(CONTRACT_REPO, 5101));
        const again = await refusal(github.rerunJob(CONTRACT_REPO, 5101));
        const running = await refusal(github.rerunJob(CONTRACT_REPO, 5102));
        // Assess
        expect(first).toBeUndefined();
        for (const error of [again, running]) {
          expect(error).toBeInstanceOf(FleetError);
          expect((error as FleetError).retryable).toBe(false);
        }
        await expect(github.rerunJob(CONTRACT_REPO, 5199)).rejects.toBeInstanceOf(NotFoundError);
        // The re-run job left its run's latest attempt; its next attempt took its place.
        const latest = await github.latestJobIds(CONTRACT_REPO, 78);
        expect(latest).toHaveLength(1);
        expect(latest).not.toContain(5101);
        expect(await github.latestJobIds(CONTRACT_REPO, 79)).toEqual([5102]);
      });
    });
  });
}
