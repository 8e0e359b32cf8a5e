import { describe, expect, it } from '@jest/globals';
import { architectureOf, defaultLabels, matchPool, runnerLabels } from '../../src/core/webhook/labels.js';
import { webhookConfig } from './fixtures.js';

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
