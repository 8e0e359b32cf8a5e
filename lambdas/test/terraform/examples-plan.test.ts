/**
 * Every example, planned with the real `hashicorp/aws` provider (issue 15): the mock provider of
 * `terraform test` checks no argument against AWS's schema as the provider does at plan time
 * (conflicting arguments, provider-side validation). Planning needs one AWS call, STS
 * GetCallerIdentity (`aws_caller_identity`), answered here by a local stub; no credentials, no
 * network. Each example is planned from a copy of the module whose Lambda zips are a fixture, and
 * its resource count is pinned: a change to what an example creates is a decision, seen here.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

const app = { id: '123456', key_base64: 'LS0tLS1CRUdJTi0tLS0t', webhook_secret: 'not-a-real-secret' };
const network = { vpc_id: 'vpc-0123456789abcdef0', subnet_ids: ['subnet-0123456789abcdef0'] };

/** Each example's variables, and how many resources its plan creates (spot pools add the spot warning rule, target and permission; the artifact bucket, its agent objects and the runner-cache function with its schedule and alarms add 16, 17 with the function in a VPC). */
const EXAMPLES: Record<string, { vars: Record<string, unknown>; resources: number }> = {
  default: { vars: { ...network, github_app: app, organization: 'acme' }, resources: 64 },
  ephemeral: { vars: { ...network, github_app: app, repositories: ['acme/api', 'acme/web'] }, resources: 76 },
  'existing-parameters': {
    vars: {
      ...network,
      organization: 'acme',
      installation_id: 42,
      lambda_subnet_ids: ['subnet-0fedcba9876543210'],
      lambda_security_group_ids: ['sg-0123456789abcdef0'],
      github_app_parameters: {
        id: { name: '/shared/gh/id', arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/id' },
        key_base64: { name: '/shared/gh/key', arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/key' },
        webhook_secret: {
          name: '/shared/gh/webhook',
          arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/webhook',
        },
      },
    },
    resources: 62,
  },
  'ubuntu-docker': { vars: { ...network, github_app: app, organization: 'acme' }, resources: 76 },
};

/**
 * Runs a command without blocking this process: the STS stub answers from this event loop, so a
 * `spawnSync` of `terraform plan` would wait for an answer that can never come.
 */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let work = '';
let env: NodeJS.ProcessEnv = {};
let sts: Server | undefined;
let stsCalls = 0;

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/plan</Arn>
    <UserId>AIDAPLANPLANPLANPLAN</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;

beforeAll(async () => {
  sts = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!body.includes('Action=GetCallerIdentity')) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Code>Unexpected</Code><Message>${body.slice(0, 100)}</Message></Error></ErrorResponse>`,
        );
        return;
      }
      stsCalls += 1;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(IDENTITY);
    });
  });
  const server = sts;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  work = mkdtempSync(join(tmpdir(), 'ghr-examples-'));
  const rc = spawnSync('bash', [join(repo, 'scripts', 'terraform', 'cli-config.sh'), join(work, 'terraformrc')], {
    encoding: 'utf8',
  });
  if (rc.status !== 0) throw new Error(`scripts/terraform/cli-config.sh failed: ${rc.stderr}`);
  env = { ...process.env, TF_CLI_CONFIG_FILE: rc.stdout.trim(), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };

  // The module as a consumer has it: its HCL, the agent, and Lambda zips where it looks for them.
  const module = join(work, 'module');
  mkdirSync(join(module, 'dist', 'lambdas'), { recursive: true });
  for (const entry of readdirSync(repo).filter((e) => e.endsWith('.tf'))) {
    copyFileSync(join(repo, entry), join(module, entry));
  }
  const skipState = (source: string) => !/(^|\/)\.terraform(\.lock\.hcl)?$/.test(source);
  for (const dir of ['modules', 'agent', 'examples']) {
    cpSync(join(repo, dir), join(module, dir), { recursive: true, filter: skipState });
  }
  for (const fn of ['webhook', 'scale-up', 'scale-down', 'runner-cache']) {
    copyFileSync(join(repo, 'tests', 'fixtures', 'lambda.zip'), join(module, 'dist', 'lambdas', `${fn}.zip`));
  }
  for (const name of Object.keys(EXAMPLES)) {
    // Merged into the example's own provider block (Terraform override file): its region and tags stay.
    writeFileSync(
      join(module, 'examples', name, 'plan_override.tf'),
      `provider "aws" {
  access_key                  = "AKIDPLANONLY"
  secret_key                  = "not-a-secret"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
  endpoints {
    sts = "http://127.0.0.1:${port}"
  }
}
`,
    );
  }
});

afterAll(async () => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
  await new Promise<void>((resolve) => (sts ? sts.close(() => resolve()) : resolve()));
});

test('every example has a plan test', () => {
  const examples = readdirSync(join(repo, 'examples'), { withFileTypes: true }).filter((d) => d.isDirectory());
  expect(examples.map((d) => d.name).sort()).toEqual(Object.keys(EXAMPLES).sort());
});

test.each(Object.entries(EXAMPLES))('examples/%s plans with the real provider', async (name, { vars, resources }) => {
  // Prepare
  const dir = join(work, 'module', 'examples', name);
  writeFileSync(join(dir, 'plan.auto.tfvars.json'), JSON.stringify(vars));
  const init = await run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], dir);
  expect(init.stderr).toBe('');
  const callsBefore = stsCalls;

  // Act
  const plan = await run('terraform', ['plan', '-input=false', '-no-color', '-lock=false'], dir);

  // Assess
  expect(plan.stderr).toBe('');
  expect(plan.status).toBe(0);
  expect(plan.stdout).toContain(`Plan: ${resources} to add, 0 to change, 0 to destroy.`);
  expect(stsCalls).toBeGreaterThan(callsBefore);
});
