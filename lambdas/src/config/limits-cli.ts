import { writeFileSync } from 'node:fs';
import { renderLimits } from './limits.js';

/** `npm run config:limits`: writes the limits Terraform validates against (see limits.ts). */
export function main(argv: string[], io: { stdout: { write(text: string): unknown } }): number {
  const file = argv[0] ?? 'modules/lambda-config/limits.json';
  writeFileSync(file, renderLimits());
  io.stdout.write(`wrote ${file}\n`);
  return 0;
}
