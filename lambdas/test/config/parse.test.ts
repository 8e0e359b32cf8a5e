import { describe, expect, it } from '@jest/globals';
import {
  parseConfig,
  scaleDownConfigSchema,
  scaleUpConfigSchema,
  webhookConfigSchema,
} from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { validPool, validScaleDownConfig } from './fixtures.js';

function expectConfigError(act: () => unknown): ConfigError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('parses a valid scale-down configuration and fills every default once', () => {
    // Act
    const config = parseConfig(scaleDownConfigSchema, JSON.stringify(validScaleDownConfig), 'scale-down');

    // Assess
    expect(config.settleSeconds).toBe(90);
    expect(Object.keys(config)).not.toContain('strategy'); // production runs only our protocol
    expect(config.concurrency).toEqual({ global: 10, perOwner: 4 });
    expect(config.github.apiUrl).toBe('https://api.github.com');
    expect(config.pools['linux']?.ephemeral).toBe(true);
    expect(config.pools['linux']?.minimumRunningTimeMinutes).toBe(5);
  });

  it('fails once, naming all three bad keys and what each expects', () => {
    // Prepare
    const bad = {
      ...validScaleDownConfig,
      settleSeconds: 'ninety',
      github: { ...validScaleDownConfig.github, appIdParameter: 'no-leading-slash' },
      pools: { linux: { ...validPool, maxRunners: -1 } },
    };

    // Act
    const error = expectConfigError(() => parseConfig(scaleDownConfigSchema, JSON.stringify(bad), 'scale-down'));

    // Assess
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('3 invalid keys');
    expect(error.message).toMatch(/settleSeconds: .*number/);
    expect(error.message).toMatch(/github\.appIdParameter: expected an SSM parameter name/);
    expect(error.message).toMatch(/pools\.linux\.maxRunners: .*>=0/);
  });

  it('names unknown keys, so a typo is not silently ignored', () => {
    const error = expectConfigError(() =>
      parseConfig(scaleDownConfigSchema, JSON.stringify({ ...validScaleDownConfig, setleSeconds: 30 }), 'scale-down'),
    );
    expect(error.message).toContain('setleSeconds: unknown key');
  });

  it('reports a missing variable and invalid JSON with the variable name', () => {
    expect(expectConfigError(() => parseConfig(webhookConfigSchema, undefined, 'webhook')).message).toContain(
      'FLEET_CONFIG is not set',
    );
    expect(expectConfigError(() => parseConfig(scaleUpConfigSchema, '{"environment":', 'scale-up')).message).toContain(
      'FLEET_CONFIG is not valid JSON',
    );
  });

  /** A scale-up config (the scale-down one without its own keys) carrying these extra tags. */
  const scaleUpWithTags = (extraTags: Record<string, string>) => ({
    ...validScaleDownConfig,
    strategy: undefined,
    settleSeconds: undefined,
    concurrency: undefined,
    lease: undefined,
    confirmWindowSeconds: undefined,
    quarantineGroupName: undefined,
    registration: 'jit',
    extraTags,
  });

  it('refuses tag keys that instance metadata cannot carry', () => {
    const config = scaleUpWithTags({ 'team/name': 'x' });
    const error = expectConfigError(() => parseConfig(scaleUpConfigSchema, JSON.stringify(config), 'scale-up'));
    expect(error.message).toMatch(/extraTags\.team\/name: tag keys must be legal in instance metadata/);
  });

  it.each<Record<string, string>>([{ 'ghr:pool': 'other' }, { 'AWS:x': 'y' }])(
    "refuses the module's and AWS's tag keys in extraTags (%j)",
    (tags) => {
      const config = scaleUpWithTags(tags);
      const error = expectConfigError(() => parseConfig(scaleUpConfigSchema, JSON.stringify(config), 'scale-up'));
      expect(error.message).toMatch(/extraTags: ghr:\* tag keys are set by this module/);
    },
  );
});

describe('pools.*.idleConfig[].cron', () => {
  const withRule = (cron: string, timeZone?: string) => ({
    ...validScaleDownConfig,
    pools: { linux: { ...validPool, idleConfig: [{ cron, idleCount: 2, ...(timeZone ? { timeZone } : {}) }] } },
  });

  it.each([['* 9-17 * * 1-5'], ["* * 9-17 * * 1-5 (upstream's six fields)"]])('accepts %s', (cron) => {
    const config = parseConfig(scaleDownConfigSchema, JSON.stringify(withRule(cron.split(' (')[0]!)), 'scale-down');
    expect(config.pools['linux']?.idleConfig).toHaveLength(1);
  });

  it.each([
    ['four fields', '* 9-17 * *', undefined, /idleConfig\.0\.cron: expected five fields .* got 4/],
    ['an hour out of range', '* 25 * * *', undefined, /idleConfig\.0\.cron: .+/],
    [
      'an unknown time zone',
      '* 9-17 * * 1-5',
      'Mars/Olympus',
      /idleConfig\.0\.cron: unknown time zone "Mars\/Olympus"/,
    ],
  ])('refuses %s at cold start, naming the rule', (_name, cron, timeZone, expected) => {
    const error = expectConfigError(() =>
      parseConfig(scaleDownConfigSchema, JSON.stringify(withRule(cron, timeZone)), 'scale-down'),
    );
    expect(error.message).toMatch(expected);
  });
});

describe('github.apiUrl', () => {
  it.each([
    ['https://api.github.com', true],
    ['https://github.example.com/api/v3', true],
    ['http://127.0.0.1:8787/github', true],
    ['http://localhost:9000', true],
    ['http://github.example.com/api/v3', false],
    ['http://localhost.example.com', false],
    ['ftp://github.example.com', false],
  ])('%s: accepted %s (tokens travel there: https, or http to a loopback host)', (apiUrl, accepted) => {
    const raw = JSON.stringify({ ...validScaleDownConfig, github: { ...validScaleDownConfig.github, apiUrl } });
    const parse = () => parseConfig(scaleDownConfigSchema, raw, 'scale-down');
    if (accepted) expect(parse().github.apiUrl).toBe(apiUrl);
    else expect(expectConfigError(parse).message).toContain('github.apiUrl');
  });
});
