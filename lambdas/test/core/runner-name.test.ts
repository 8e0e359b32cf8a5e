import { describe, expect, test } from '@jest/globals';
import { instanceIdOfRunnerName, preparedRunnerName } from '../../src/core/runner-name.js';

describe('runner names', () => {
  test.each([
    ['i-0123456789abcdef0', 'i-0123456789abcdef0'],
    ['i-01234567', 'i-01234567'],
    [preparedRunnerName('i-0123456789abcdef0', 41), 'i-0123456789abcdef0'],
    ['i-0123456789abcdef0-1234567890123456', 'i-0123456789abcdef0'],
  ])('%s is the runner of instance %s', (name, instanceId) => {
    expect(instanceIdOfRunnerName(name)).toBe(instanceId);
  });

  test.each([
    [null],
    [undefined],
    ['my-laptop'],
    ['i-0123456'],
    ['i-0123456789abcdef0-'],
    ['i-0123456789abcdef0-x1'],
    ['i-0123456789abcdef0-12345678901234567'],
    ['i-0123456789ABCDEF0'],
    [' i-0123456789abcdef0'],
    ['i-0123456789abcdef0-1-2'],
  ])('%p names no instance of ours', (name) => {
    expect(instanceIdOfRunnerName(name)).toBeUndefined();
  });
});
