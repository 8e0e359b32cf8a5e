import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';

export interface BundleRow {
  readonly name: string;
  readonly zipBytes: number;
  readonly bundleBytes: number;
  /** Median of `samples` fresh `node` processes, each timing `import()` of the bundle with performance.now(). */
  readonly coldImportMs: number;
  readonly samples: number;
}

const buildResults = z.array(
  z.object({ name: z.string(), zip: z.string(), bytes: z.number(), bundleBytes: z.number() }).loose(),
);

/** The repository root: the nearest folder above this module holding scripts/build.mjs (source or bundled). */
export function repoRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'scripts', 'build.mjs'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no scripts/build.mjs above ${from}`);
    dir = parent;
  }
}

const run = promisify(execFile);

/** One cold import, in a child so nothing is cached: the module graph's load and top-level code. */
async function coldImportMs(bundle: string): Promise<number> {
  const script =
    `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); ` +
    'process.stdout.write(String(performance.now() - t0));';
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`cold import of ${bundle} printed ${JSON.stringify(stdout)}`);
  return ms;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Builds every Lambda with the project's own build (scripts/build.mjs, the zips Terraform
 * deploys) into a temporary folder, then measures each zip and its cold import time.
 */
export async function measureBundles(options: { samples?: number; onProgress?: (name: string) => void } = {}) {
  const samples = options.samples ?? 5;
  const buildScript = join(repoRoot(), 'scripts', 'build.mjs');
  const mod: unknown = await import(pathToFileURL(buildScript).href);
  const build = typeof mod === 'object' && mod !== null && 'build' in mod ? mod.build : undefined;
  if (typeof build !== 'function') throw new Error(`${buildScript} exports no build()`);
  const dir = mkdtempSync(join(tmpdir(), 'ghr-bench-'));
  try {
    const built = buildResults.parse(await build(dir));
    const rows: BundleRow[] = [];
    for (const b of built) {
      options.onProgress?.(b.name);
      const times: number[] = [];
      for (let i = 0; i < samples; i++) times.push(await coldImportMs(join(dir, b.name, 'index.mjs')));
      rows.push({
        name: b.name,
        zipBytes: b.bytes,
        bundleBytes: b.bundleBytes,
        coldImportMs: Math.round(median(times) * 10) / 10,
        samples,
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
