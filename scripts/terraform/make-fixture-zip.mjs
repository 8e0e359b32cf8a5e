// Writes tests/fixtures/lambda.zip: a tiny, byte-for-byte reproducible Lambda package the
// terraform tests use as every function's zip (filebase64sha256 needs a real file at plan time).
// Run: node scripts/terraform/make-fixture-zip.mjs   (the output is committed)
import yazl from 'yazl';
import { Buffer } from 'node:buffer';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'fixtures', 'lambda.zip');
mkdirSync(dirname(out), { recursive: true });

const zip = new yazl.ZipFile();
const source = '// terraform test fixture; never deployed\nexport const handler = async () => ({ fixture: true });\n';
// Local-time date + forceDosTimestamp: no time-zone-dependent bytes (see docs toolchain notes §5).
zip.addBuffer(Buffer.from(source), 'index.mjs', {
  mtime: new Date(1980, 0, 1),
  mode: 0o100644,
  forceDosTimestamp: true,
});
zip.end();
await new Promise((resolve, reject) =>
  zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject),
);
console.log(out);
