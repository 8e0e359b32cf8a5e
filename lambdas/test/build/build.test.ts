import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The zips Terraform deploys: two builds must give the same bytes (so `source_code_hash`
 * changes only with the code), and each bundle, imported as Lambda would import it, must
 * fail a bad configuration with a clear error rather than a stack of undefined.
 */
const builtSchema = z.array(
  z.object({ name: z.string(), zip: z.string(), bytes: z.number(), bundleBytes: z.number(), sha256: z.string() }),
);
type Built = z.infer<typeof builtSchema>;

function buildInto(dir: string, tz: string): Built {
  const script = `import { build } from './scripts/build.mjs'; console.log(JSON.stringify(await build(${JSON.stringify(dir)})));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: { ...process.env, TZ: tz, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  return builtSchema.parse(JSON.parse(out.trim().split('\n').pop() ?? '[]'));
}

function invokeBundle(bundle: string, config: string | undefined): string {
  const script = `
    const { handler } = await import(${JSON.stringify(bundle)});
    const context = { awsRequestId: 'smoke', functionName: 'smoke', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke',
      memoryLimitInMB: '128', functionVersion: '1', getRemainingTimeInMillis: () => 1000 };
    try { await handler({}, context); console.log('RESULT ok'); }
    catch (error) { console.log('RESULT ' + JSON.stringify({ name: error.name, message: error.message })); }`;
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], AWS_REGION: 'eu-west-1', NODE_OPTIONS: '' };
  if (config !== undefined) env['FLEET_CONFIG'] = config;
  // The bundle's own log lines (stderr) are expected here; keep them out of the test report.
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.split('\n').find((line) => line.startsWith('RESULT ')) ?? out;
}

describe('npm run build', () => {
  let first: Built;
  let second: Built;
  const dirs = [mkdtempSync(join(tmpdir(), 'ghr-build-a-')), mkdtempSync(join(tmpdir(), 'ghr-build-b-'))];

  beforeAll(() => {
    first = buildInto(dirs[0]!, 'UTC');
    second = buildInto(dirs[1]!, 'Asia/Tokyo');
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('builds one zip per Lambda', () => {
    expect(first.map((b) => b.name)).toEqual(['webhook', 'scale-up', 'scale-down', 'runner-cache']);
    for (const b of first) expect(b.bytes).toBeGreaterThan(10_000);
  });

  it('gives byte-identical zips on every build, in any time zone', () => {
    expect(second.map((b) => b.sha256)).toEqual(first.map((b) => b.sha256));
  });

  it.each(['webhook', 'scale-up', 'scale-down', 'runner-cache'])(
    '%s: a missing configuration fails with a clear error',
    (name) => {
      const bundle = first.find((b) => b.name === name)!.zip.replace(/\.zip$/, '/index.mjs');
      const result = invokeBundle(bundle, undefined);
      expect(result).toContain('ConfigError');
      expect(result).toContain('FLEET_CONFIG is not set');
    },
  );

  it.each(['webhook', 'scale-up', 'scale-down', 'runner-cache'])(
    '%s: a bad configuration names every bad key',
    (name) => {
      const bundle = first.find((b) => b.name === name)!.zip.replace(/\.zip$/, '/index.mjs');
      const result = invokeBundle(bundle, JSON.stringify({ environment: 'bad env', logLevel: 'LOUD' }));
      expect(result).toContain('ConfigError');
      expect(result).toContain('environment: expected 1-64 letters');
      expect(result).toContain('logLevel:');
      expect(result).toContain(name === 'runner-cache' ? 'bucket:' : 'github:');
      expect(result).not.toContain('undefined');
    },
  );

  it('ships only our protocol: no baseline strategy is in any bundle', () => {
    // The baselines live in lambdas/src/sim/baselines and are injected by the simulator (issue 12).
    // Each marker is unique to one baseline: its name, or the tag it keeps its state in.
    const markers = [
      'deregister-recheck',
      'confirm-window',
      'ghr:idle-since',
      'list runners failed',
      'baseline step failed',
    ];
    for (const b of first) {
      const code = readFileSync(b.zip.replace(/\.zip$/, '/index.mjs'), 'utf8');
      expect({ bundle: b.name, found: markers.filter((m) => code.includes(m)) }).toEqual({ bundle: b.name, found: [] });
    }
    const scaleDown = readFileSync(
      first.find((b) => b.name === 'scale-down')!.zip.replace(/\.zip$/, '/index.mjs'),
      'utf8',
    );
    expect(scaleDown).toContain('ghr-quarantine'); // non-vacuity: our protocol is in it
  });
});
