import { describe, expect, it } from '@jest/globals';
import { webhookConfigSchema } from '../../src/config/schema.js';
import {
  architectureOf,
  defaultLabels,
  matchPool,
  refusalReason,
  runnerLabels,
} from '../../src/core/webhook/labels.js';
import { pool, rawWebhookConfig, webhookConfig } from './fixtures.js';

const pools = webhookConfig().pools;
const org = { owner: 'acme', name: 'widgets' };

describe('architectureOf', () => {
  it.each([
    ['m7g.large', 'arm64'],
    ['c7gn.xlarge', 'arm64'],
    ['r6gd.large', 'arm64'],
    ['t4g.small', 'arm64'],
    ['g5g.xlarge', 'arm64'],
    ['a1.medium', 'arm64'],
    ['m7i.large', 'x64'],
    ['g4dn.xlarge', 'x64'],
    ['g5.xlarge', 'x64'],
    ['c6in.large', 'x64'],
    ['m7i-flex.large', 'x64'],
  ])('%s is %s', (type, arch) => {
    expect(architectureOf(type)).toBe(arch);
  });
});

describe('default and runner labels', () => {
  it('implies self-hosted, linux and the one architecture of the pool', () => {
    expect(defaultLabels({ instanceTypes: ['m7g.large', 'c7g.large'] })).toEqual(['self-hosted', 'linux', 'arm64']);
  });

  it('gives a mixed-architecture pool no architecture label', () => {
    expect(defaultLabels({ instanceTypes: ['m7g.large', 'm7i.large'] })).toEqual(['self-hosted', 'linux']);
  });

  it('registers defaults then custom labels, without case-insensitive duplicates', () => {
    expect(runnerLabels({ instanceTypes: ['m7i.large'], labels: ['gpu', 'Linux'] })).toEqual([
      'self-hosted',
      'linux',
      'x64',
      'gpu',
    ]);
  });
});

describe('matchPool', () => {
  it.each([
    [['self-hosted', 'linux', 'gpu'], 'linux'],
    [['gpu'], 'linux'],
    [['Self-Hosted', 'LINUX', 'X64', 'GPU'], 'linux'],
  ])('routes %j of an org repository to the org pool', (labels, expected) => {
    expect(matchPool(pools, { labels, repository: org })).toBe(expected);
  });

  it.each([
    ['a job asking only for default labels', ['self-hosted', 'linux']],
    ['a job with an unknown custom label', ['self-hosted', 'gpu', 'cuda']],
    ['a job for another architecture', ['self-hosted', 'arm64', 'gpu']],
    ['a job with no labels', []],
    ['a GitHub-hosted job', ['ubuntu-latest']],
  ])('refuses %s', (_name, labels) => {
    expect(matchPool(pools, { labels, repository: org })).toBeUndefined();
  });

  it('serves only repositories of the pool owner', () => {
    expect(matchPool(pools, { labels: ['gpu'], repository: { owner: 'other', name: 'widgets' } })).toBeUndefined();
    expect(matchPool(pools, { labels: ['gpu'], repository: { owner: 'ACME', name: 'x' } })).toBe('linux');
  });

  it('serves a repo pool only for its own repository', () => {
    const labels = ['self-hosted', 'arm64', 'arm-build'];
    expect(matchPool(pools, { labels, repository: { owner: 'acme', name: 'widgets' } })).toBe('repo-arm');
    expect(matchPool(pools, { labels, repository: { owner: 'acme', name: 'gadgets' } })).toBeUndefined();
  });

  it('picks the first pool by name when several match', () => {
    const both = webhookConfig({
      pools: { zeta: { ...pools['linux'] }, alpha: { ...pools['linux'] } },
    }).pools;
    expect(matchPool(both, { labels: ['gpu'], repository: org })).toBe('alpha');
  });
});

describe('matcherConfig (upstream: labelMatchers, exactMatch, priority)', () => {
  const withPools = (defs: Record<string, Record<string, unknown>>) =>
    webhookConfig({ pools: Object.fromEntries(Object.entries(defs).map(([n, o]) => [n, pool(o)])) }).pools;

  it('with exactMatch, needs every job label in one matcher; without it, one shared label', () => {
    const matchers = [
      ['self-hosted', 'gpu'],
      ['linux', 'x64', 'gpu'],
    ];
    const exact = withPools({ p: { labelMatchers: matchers, exactMatch: true } });
    const loose = withPools({ p: { labelMatchers: matchers } });
    // Every label on one matcher (the second), or split over both matchers.
    expect(matchPool(exact, { labels: ['linux', 'gpu'], repository: org })).toBe('p');
    expect(matchPool(exact, { labels: ['self-hosted', 'linux', 'gpu'], repository: org })).toBeUndefined();
    expect(matchPool(loose, { labels: ['self-hosted', 'linux', 'gpu'], repository: org })).toBe('p');
  });

  it('never routes a job to runners that lack one of its labels, whatever the matchers say', () => {
    // GitHub would never assign it there: upstream's any-label match launches a runner that idles.
    const pools = withPools({ p: { labelMatchers: [['gpu']] } });
    expect(matchPool(pools, { labels: ['gpu', 'cuda'], repository: org })).toBeUndefined();
    expect(matchPool(pools, { labels: ['self-hosted', 'arm64', 'gpu'], repository: org })).toBeUndefined();
  });

  it('keeps the custom-label rule: a matcher of default labels does not take a self-hosted-only job', () => {
    const pools = withPools({ p: { labelMatchers: [['self-hosted', 'linux', 'x64', 'gpu']], exactMatch: true } });
    expect(matchPool(pools, { labels: ['self-hosted', 'linux'], repository: org })).toBeUndefined();
  });

  it('tries exactMatch pools first, then the lowest priority, then names', () => {
    const job = { labels: ['self-hosted', 'gpu'], repository: org };
    expect(matchPool(withPools({ a: {}, b: { priority: 10 } }), job)).toBe('b');
    expect(matchPool(withPools({ a: { priority: 1 }, b: { priority: 10, exactMatch: true } }), job)).toBe('b');
    expect(matchPool(withPools({ b: { priority: 5 }, a: { priority: 5 } }), job)).toBe('a');
  });

  it('falls through to the next pool when the preferred one does not fit', () => {
    const pools = withPools({
      cheap: { priority: 1, labelMatchers: [['gpu', 'small']], labels: ['gpu', 'small'] },
      big: { priority: 2 },
    });
    expect(matchPool(pools, { labels: ['gpu', 'small'], repository: org })).toBe('cheap');
    expect(matchPool(pools, { labels: ['gpu'], repository: org })).toBe('cheap');
    const exact = withPools({
      cheap: { priority: 1, labels: ['gpu', 'small'], labelMatchers: [['gpu', 'small']], exactMatch: true },
      big: { priority: 2 },
    });
    expect(matchPool(exact, { labels: ['self-hosted', 'gpu'], repository: org })).toBe('big');
  });

  it('refuses at cold start a matcher label the runners do not carry, naming pool and label', () => {
    const parsed = webhookConfigSchema.safeParse(
      rawWebhookConfig({ pools: { linux: pool({ labelMatchers: [['self-hosted', 'Gpu'], ['cuda']] }) } }),
    );
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path).toEqual(['pools', 'linux', 'labelMatchers']);
    expect(issue?.message).toContain('not cuda');
  });

  it('refuses a priority outside 0-999 and an empty matcher', () => {
    for (const bad of [
      { priority: -1 },
      { priority: 1000 },
      { priority: 1.5 },
      { labelMatchers: [[]] },
      { labelMatchers: [] },
    ]) {
      expect(webhookConfigSchema.safeParse(rawWebhookConfig({ pools: { linux: pool(bad) } })).success).toBe(false);
    }
  });
});

describe('refusalReason', () => {
  it('names a job that asks only for labels every runner carries', () => {
    expect(refusalReason(pools, ['self-hosted'])).toBe('only_default_labels');
    expect(refusalReason(pools, ['Self-Hosted', 'ARM64'])).toBe('only_default_labels');
    expect(refusalReason(pools, ['self-hosted', 'windows'])).toBe('no_matching_pool');
    expect(refusalReason(pools, [])).toBe('no_matching_pool');
  });
});
