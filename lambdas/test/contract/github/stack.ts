import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { OctokitGitHub, type OctokitSettings } from '../../../src/adapters/github/index.js';
import type { GitHubConfig } from '../../../src/config/schema.js';
import { InMemorySsm, ManualClock as MemoryClock } from '../../../src/sim/memory/index.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { SsmPort } from '../../../src/ports/ssm.js';
import type { Log } from '../../../src/observability/types.js';
import { GitHubFacade, InMemoryGitHub, StaticAppDirectory } from '../../../src/sim/facades/github/index.js';
import { CONTRACT_ORG, CONTRACT_REPO } from '../../support/github-contract.js';
import { intercept } from '../../../src/sim/ports/intercept.js';

export const APP_ID = '4242';
export const ORG_INSTALLATION = 101;
export const REPO_INSTALLATION = 202;
export const APP_ID_PARAMETER = '/fleet/github/app-id';
export const KEY_PARAMETER = '/fleet/github/private-key';

export function rsaKeyPair(): { privatePem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // GitHub hands out PKCS#1 PEM ("BEGIN RSA PRIVATE KEY").
  return { privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey };
}

/** A clock the test moves by hand, starting at the wall clock (JWTs are checked against it). */
export class ManualClock extends MemoryClock {
  constructor(startMs = Date.now()) {
    super(startMs);
  }
}

/** The app's secrets in SSM: the in-memory double, its reads counted so tests can see the credential cache work. */
export interface SecretStore {
  /** The port the adapter reads through. */
  readonly port: SsmPort;
  /** Stores (or replaces) a parameter, as the module's Terraform or an operator does. */
  set(name: string, value: string): Promise<void>;
  /** GetParameter and GetParameters calls so far. */
  reads(): number;
}

export function secretStore(clock: Clock): SecretStore {
  const ssm = new InMemorySsm(clock);
  const spy = intercept<SsmPort>(ssm);
  return {
    port: spy.port,
    set: async (name, value) => {
      await ssm.putParameter({ name, value, type: 'SecureString', overwrite: true });
    },
    reads: () => spy.calls.filter((call) => call === 'getParameter' || call === 'getParameters').length,
  };
}

export interface Stack {
  readonly backend: InMemoryGitHub;
  readonly directory: StaticAppDirectory;
  readonly facade: GitHubFacade;
  readonly adapter: OctokitGitHub;
  readonly ssm: SecretStore;
  readonly clock: ManualClock;
  readonly apiUrl: string;
  readonly privatePem: string;
  /** Another adapter on the same facade and SSM (e.g. with other settings). */
  adapterWith(options: { settings?: OctokitSettings; config?: Partial<GitHubConfig> }): OctokitGitHub;
  close(): Promise<void>;
}

export interface StackOptions {
  readonly ghes?: boolean;
  readonly settings?: OctokitSettings;
  readonly config?: Partial<GitHubConfig>;
  readonly log?: Log;
}

/** InMemoryGitHub behind the HTTP facade, and the Octokit adapter pointed at it. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const clock = new ManualClock();
  const backend = new InMemoryGitHub(clock);
  const { privatePem, publicKey } = rsaKeyPair();
  const directory = new StaticAppDirectory()
    .addApp(APP_ID, publicKey)
    .addInstallation(APP_ID, ORG_INSTALLATION, [CONTRACT_ORG])
    .addInstallation(APP_ID, REPO_INSTALLATION, [`${CONTRACT_REPO.owner}/${CONTRACT_REPO.repo}`]);
  const facade = new GitHubFacade({ backend, directory, clock });
  const { baseUrl, ghesBaseUrl } = await facade.start();
  const apiUrl = options.ghes ? ghesBaseUrl : baseUrl;
  const ssm = secretStore(clock);
  await ssm.set(APP_ID_PARAMETER, APP_ID);
  await ssm.set(KEY_PARAMETER, Buffer.from(privatePem).toString('base64'));
  const adapterWith = (o: { settings?: OctokitSettings; config?: Partial<GitHubConfig> }) =>
    new OctokitGitHub({
      config: {
        apiUrl,
        appIdParameter: APP_ID_PARAMETER,
        privateKeyParameter: KEY_PARAMETER,
        installationIds: {},
        secretCacheSeconds: 300,
        ...o.config,
      },
      ssm: ssm.port,
      clock,
      // Contract runs: no client-side throttling or retries (they are tested on their own).
      settings: { throttle: false, retry: false, ...(options.log ? { log: options.log } : {}), ...o.settings },
    });
  const adapter = adapterWith({
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.config ? { config: options.config } : {}),
  });
  return {
    backend,
    directory,
    facade,
    adapter,
    ssm,
    clock,
    apiUrl,
    privatePem,
    adapterWith,
    close: () => facade.close(),
  };
}
