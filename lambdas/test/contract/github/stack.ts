import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { OctokitGitHub, type OctokitSettings } from '../../../src/adapters/github/index.js';
import type { GitHubConfig } from '../../../src/config/schema.js';
import { NotFoundError } from '../../../src/errors.js';
import { ManualClock as MemoryClock } from '../../../src/sim/memory/index.js';
import type { Parameter, ParameterInfo, PutParameterRequest, SsmPort } from '../../../src/ports/ssm.js';
import type { Log } from '../../../src/observability/types.js';
import { GitHubFacade, InMemoryGitHub, StaticAppDirectory } from '../../../src/sim/facades/github/index.js';
import { CONTRACT_ORG, CONTRACT_REPO } from '../../support/github-contract.js';

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

/** SsmPort over a map; counts reads so tests can see the credential cache work. */
export class MapSsm implements SsmPort {
  readonly values = new Map<string, string>();
  reads = 0;
  async getParameter(name: string): Promise<Parameter> {
    this.reads += 1;
    const value = this.values.get(name);
    if (value === undefined) throw new NotFoundError(`parameter ${name} not found`);
    return { name, value, version: 1, lastModifiedMs: 0 };
  }
  async getParameters(names: readonly string[]): Promise<Parameter[]> {
    this.reads += 1;
    return names.flatMap((name) => {
      const value = this.values.get(name);
      return value === undefined ? [] : [{ name, value, version: 1, lastModifiedMs: 0 }];
    });
  }
  async putParameter(request: PutParameterRequest): Promise<{ version: number }> {
    this.values.set(request.name, request.value);
    return { version: 1 };
  }
  async deleteParameter(name: string): Promise<void> {
    this.values.delete(name);
  }
  async listParameters(): Promise<ParameterInfo[]> {
    return [];
  }
}

export interface Stack {
  readonly backend: InMemoryGitHub;
  readonly directory: StaticAppDirectory;
  readonly facade: GitHubFacade;
  readonly adapter: OctokitGitHub;
  readonly ssm: MapSsm;
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
  const ssm = new MapSsm();
  ssm.values.set(APP_ID_PARAMETER, APP_ID);
  ssm.values.set(KEY_PARAMETER, Buffer.from(privatePem).toString('base64'));
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
      ssm,
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
