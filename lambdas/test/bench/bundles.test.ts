import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { measureBundles, repoRoot } from '../../src/bench/bundles.js';

describe('bundle figures', () => {
  test('the repository root is found from this module', () => {
    // Act
    const root = repoRoot();

    // Assess
    expect(existsSync(join(root, 'scripts', 'build.mjs'))).toBe(true);
    expect(existsSync(join(root, 'package.json'))).toBe(true);
  });

  test('builds each Lambda with the project build and times a cold import of each', async () => {
    // Act
    const rows = await measureBundles({ samples: 1 });

    // Assess
    expect(rows.map((r) => r.name).sort()).toEqual(['runner-cache', 'scale-down', 'scale-up', 'webhook']);
    for (const row of rows) {
      expect(row.zipBytes).toBeGreaterThan(1000);
      expect(row.bundleBytes).toBeGreaterThan(row.zipBytes);
      expect(row.coldImportMs).toBeGreaterThan(0);
      expect(row.samples).toBe(1);
    }
  }, 60_000);
});
