/**
 * Where the artifact bucket keeps what instances fetch. The runner-pool user data builds the same
 * keys (modules/runner-pool/templates/user-data.sh.tftpl); lambdas/test/terraform/user-data.test.ts
 * holds the two to each other.
 */
export type RunnerArch = 'x64' | 'arm64';

export const RUNNER_ARCHS: readonly RunnerArch[] = ['x64', 'arm64'];

/** actions/runner's own asset name (the release's download file). */
export const tarballName = (version: string, arch: RunnerArch) => `actions-runner-linux-${arch}-${version}.tar.gz`;

export const tarballKey = (version: string, arch: RunnerArch) => `runners/${version}/${tarballName(version, arch)}`;

/**
 * The newest release the cache holds for an architecture, one line: `<version> <sha256>`. Written
 * only after that tarball is stored, so an instance that reads it finds the tarball.
 */
export const latestPointerKey = (arch: RunnerArch) => `runners/latest/linux-${arch}`;

export const pointerText = (version: string, sha256: string) => `${version} ${sha256}\n`;
