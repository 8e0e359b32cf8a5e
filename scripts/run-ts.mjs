// Runs a TypeScript entry point of this project: bundles it with esbuild (about a second)
// into dist/.run/ and calls its exported `main(argv, io)`, whose number is the exit code.
// Used by `npm start` and `npm run bench`, so both run exactly the code the tests check. Each
// process bundles to a file of its own, removed once imported: several `npm start` at once (a
// served world beside a bench, say) never load each other's half-written bundle.
import * as esbuild from 'esbuild';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function runTs(entry, argv) {
  // The AWS SDK warns on every client that Node 20 support ends in 2027; the Lambdas run on nodejs22.x.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const name = entry.replace(/[/\\]/g, '_').replace(/\.ts$/, '');
  const outfile = join(root, 'dist', '.run', `${name}.${process.pid}.${randomUUID().slice(0, 8)}.mjs`);
  await esbuild.build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    sourcemap: 'inline',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  let module;
  try {
    module = await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true }); // loaded (one file, no chunks): the process no longer needs it
  }
  const code = await module.main(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  return typeof code === 'number' ? code : 0;
}
