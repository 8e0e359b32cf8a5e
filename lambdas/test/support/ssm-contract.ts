/** Behaviours every SsmPort implementation must show (in-memory, SDK adapter via the facade, simulator). */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { AlreadyExistsError, NotFoundError } from '../../src/errors.js';
import type { SsmPort } from '../../src/ports/index.js';

export interface SsmContractSubject {
  readonly ssm: SsmPort;
  close(): Promise<void>;
}

export function describeSsmContract(name: string, setup: () => Promise<SsmContractSubject>): void {
  describe(`SsmPort contract: ${name}`, () => {
    let subject: SsmContractSubject;
    beforeEach(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      await subject.close();
    });

    test('put then get returns the value; overwrite bumps the version', async () => {
      // Act
      const first = await subject.ssm.putParameter({
        name: '/ghr/app/id',
        value: '123',
        type: 'String',
        overwrite: false,
      });
      const read1 = await subject.ssm.getParameter('/ghr/app/id');
      const second = await subject.ssm.putParameter({
        name: '/ghr/app/id',
        value: '456',
        type: 'String',
        overwrite: true,
      });
      const read2 = await subject.ssm.getParameter('/ghr/app/id');
      // Assess
      expect(first.version).toBe(1);
      expect(read1).toMatchObject({ name: '/ghr/app/id', value: '123', version: 1 });
      expect(second.version).toBe(2);
      expect(read2).toMatchObject({ name: '/ghr/app/id', value: '456', version: 2 });
      expect(read2.lastModifiedMs).toBeGreaterThan(0);
    });

    test('SecureString values come back decrypted', async () => {
      // Prepare
      await subject.ssm.putParameter({
        name: '/ghr/app/key',
        value: 'c2VjcmV0',
        type: 'SecureString',
        overwrite: false,
      });
      // Act
      const read = await subject.ssm.getParameter('/ghr/app/key');
      // Assess
      expect(read.value).toBe('c2VjcmV0');
    });

    test('put without overwrite on an existing name is AlreadyExistsError and changes nothing', async () => {
      // Prepare: the scale-down lease is exactly this call
      await subject.ssm.putParameter({ name: '/ghr/lease', value: 'holder-a', type: 'String', overwrite: false });
      // Act
      const second = subject.ssm.putParameter({
        name: '/ghr/lease',
        value: 'holder-b',
        type: 'String',
        overwrite: false,
      });
      // Assess
      await expect(second).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(second).rejects.not.toThrow(/holder-b/);
      expect(await subject.ssm.getParameter('/ghr/lease')).toMatchObject({ value: 'holder-a', version: 1 });
    });

    test('get and delete of a missing name are NotFoundError; delete removes', async () => {
      // Prepare
      await subject.ssm.putParameter({ name: '/ghr/jit/i-1', value: 'jit', type: 'SecureString', overwrite: false });
      // Act
      await subject.ssm.deleteParameter('/ghr/jit/i-1');
      // Assess
      await expect(subject.ssm.getParameter('/ghr/jit/i-1')).rejects.toBeInstanceOf(NotFoundError);
      await expect(subject.ssm.getParameter('/ghr/nope')).rejects.toBeInstanceOf(NotFoundError);
      await expect(subject.ssm.deleteParameter('/ghr/jit/i-1')).rejects.toBeInstanceOf(NotFoundError);
    });

    test('getParameters returns the names that exist, more than ten at a time', async () => {
      // Prepare
      const names = Array.from({ length: 25 }, (_, i) => `/ghr/many/p${String(i).padStart(2, '0')}`);
      for (const name of names.filter((_, i) => i % 2 === 0)) {
        await subject.ssm.putParameter({ name, value: `v-${name}`, type: 'String', overwrite: false });
      }
      // Act
      const found = await subject.ssm.getParameters([...names, '/ghr/other/missing']);
      // Assess
      expect(found.map((p) => p.name).sort()).toEqual(names.filter((_, i) => i % 2 === 0));
      expect(found.every((p) => p.value === `v-${p.name}`)).toBe(true);
    });

    test('listParameters is recursive, complete across pages, stays under the path, and carries no value', async () => {
      // Prepare
      const inside = Array.from({ length: 23 }, (_, i) => `/ghr/jit/${i % 2 === 0 ? 'org' : 'repo/sub'}/i-${i}`);
      for (const name of [...inside, '/ghr/jitter/x', '/ghr/other/y']) {
        await subject.ssm.putParameter({ name, value: 'secret-v', type: 'SecureString', overwrite: false });
      }
      // Act
      const found = await subject.ssm.listParameters('/ghr/jit');
      const withSlash = await subject.ssm.listParameters('/ghr/jit/');
      // Assess
      expect(found.map((p) => p.name).sort()).toEqual([...inside].sort());
      expect(withSlash.map((p) => p.name).sort()).toEqual([...inside].sort());
      expect(JSON.stringify(found)).not.toContain('secret-v');
      expect(found.every((p) => p.lastModifiedMs > 0)).toBe(true);
      expect(await subject.ssm.listParameters('/ghr/none')).toEqual([]);
    });

    test('a put with tags creates; tags with overwrite are refused and change nothing', async () => {
      // Prepare
      const tags = { 'ghr:instance-arn': 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc' };
      // Act
      await subject.ssm.putParameter({
        name: '/ghr/jit/p/i-0abc',
        value: 'jit',
        type: 'SecureString',
        overwrite: false,
        tags,
      });
      const refused = subject.ssm.putParameter({
        name: '/ghr/jit/p/i-0abc',
        value: 'other',
        type: 'SecureString',
        overwrite: true,
        tags,
      });
      // Assess
      await expect(refused).rejects.toThrow(/tags/i);
      expect(await subject.ssm.getParameter('/ghr/jit/p/i-0abc')).toMatchObject({ value: 'jit', version: 1 });
    });
  });
}
