#!/usr/bin/env node
// Bundles each Lambda with esbuild into dist/lambdas/<name>.zip, byte for byte the same on
// every build (fixed mtime and mode, DOS timestamps only, one entry), so Terraform's
// source_code_hash changes only when the code does. Usage: node scripts/build.mjs [--out DIR]
import * as esbuild from 'esbuild';
import yazl from 'yazl';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FUNCTIONS = {
  webhook: 'lambdas/src/functions/webhook/handler.ts',
  'scale-up': 'lambdas/src/functions/scale-up/handler.ts',
  'scale-down': 'lambdas/src/functions/scale-down/handler.ts',
  'runner-cache': 'lambdas/src/functions/runner-cache/handler.ts',
};

async function zipFile(source, entryName, target) {
  const zip = new yazl.ZipFile();
  // A local-time Date plus forceDosTimestamp keep the bytes independent of TZ (no extended timestamp field).
  zip.addBuffer(readFileSync(source), entryName, {
    mtime: new Date(1980, 0, 1),
    mode: 0o100644,
    forceDosTimestamp: true,
    compressionLevel: 9,
  });
  zip.end();
  await new Promise((ok, ko) => zip.outputStream.pipe(createWriteStream(target)).on('close', ok).on('error', ko));
}

export async function build(outDir = join(root, 'dist', 'lambdas')) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const results = [];
  for (const [name, entry] of Object.entries(FUNCTIONS)) {
    const bundle = join(outDir, name, 'index.mjs');
    await esbuild.build({
      entryPoints: [join(root, entry)],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      // Lambda runs nodejs22.x; node20 output also runs on this project's Node 20 toolchain.
      target: 'node20',
      format: 'esm',
      mainFields: ['module', 'main'],
      minify: true,
      // Error class names (ConfigError, RateLimitedError, …) are what an operator reads in the logs.
      keepNames: true,
      legalComments: 'none',
      logLevel: 'warning',
      // Bundled CommonJS dependencies call require(); give ESM output one.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const zipPath = join(outDir, `${name}.zip`);
    await zipFile(bundle, 'index.mjs', zipPath);
    const sha256 = createHash('sha256').update(readFileSync(zipPath)).digest('hex');
    results.push({ name, zip: zipPath, bytes: statSync(zipPath).size, bundleBytes: statSync(bundle).size, sha256 });
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : undefined;
  for (const r of await build(outDir)) {
    console.log(`${r.name.padEnd(11)} ${String(r.bytes).padStart(9)} B  sha256 ${r.sha256}  ${r.zip}`);
  }
}
