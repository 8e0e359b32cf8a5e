/**
 * The agent's tag codec (the bash functions in agent/ghr-agent.sh) against the golden vectors the
 * TypeScript codec is held to as well (agent/test-vectors/tags.json; lambdas/test/core/tags.test.ts).
 * The script is sourced, which defines its functions and runs nothing; one bash process answers
 * every vector, fed NUL-separated fields on stdin (job names may hold any character but NUL).
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTagVectors } from '../support/tag-vectors.js';

const AGENT = fileURLToPath(new URL('../../../agent/ghr-agent.sh', import.meta.url));

/** Reads `<function>\0<arg>\0...` records and prints one NUL-terminated answer per record; `!` when the function refused. */
const DRIVER = String.raw`
. "$1"
field() { IFS= read -r -d '' "$1"; }
while field fn; do
  case $fn in
    sanitize_job) field name; sanitize_job "$name"; printf '%s\0' "$REPLY" ;;
    encode_state)
      field state; field job; field at; field ack
      if encode_state "$state" "$job" "$at" "$ack"; then printf '%s\0' "$REPLY"; else printf '!\0'; fi ;;
    decode_lifecycle)
      field value
      if decode_lifecycle "$value"; then
        printf '%s %s %s %s\0' "$MARK_PHASE" "$MARK_MS" "$MARK_QUARANTINED_MS" "$REPLY"
      else printf '!\0'; fi ;;
    decode_config_ready)
      field value
      if decode_config_ready "$value"; then printf '%s\0' "$REPLY"; else printf '!\0'; fi ;;
    *) echo "unknown function $fn" >&2; exit 2 ;;
  esac
done
`;

/** Calls the agent's functions in one sourced bash, under the given locale; one answer per call. */
function callAgent(calls: readonly (readonly string[])[], locale: string): string[] {
  const input = calls.map((call) => call.map((field) => `${field}\0`).join('')).join('');
  const result = spawnSync('bash', ['--norc', '-c', DRIVER, 'codec-driver', AGENT], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LC_ALL: locale },
  });
  if (result.error) throw result.error;
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const answers = result.stdout.split('\0');
  expect(answers.pop()).toBe('');
  expect(answers).toHaveLength(calls.length);
  return answers;
}

const vectors = readTagVectors();

// The instance's locale must not matter (systemd hands the agent the system's LANG; the codec works on bytes).
describe.each(['C', 'C.UTF-8'])('ghr-agent.sh tag codec, LC_ALL=%s', (locale) => {
  test('job names become the job ids of the golden vectors', () => {
    const answers = callAgent(
      vectors.jobIds.map((v) => ['sanitize_job', v.name]),
      locale,
    );
    expect(answers).toEqual(vectors.jobIds.map((v) => v.id));
  });

  test('states encode to the values of the golden vectors', () => {
    const answers = callAgent(
      vectors.agentStates.map((v) => ['encode_state', v.state, v.job ?? '', String(v.atMs), String(v.ackMarkMs ?? '')]),
      locale,
    );
    expect(answers).toEqual(vectors.agentStates.map((v) => v.value));
  });

  test('lifecycle values decode as the golden vectors say, malformed ones to no mark', () => {
    const answers = callAgent(
      vectors.lifecycles.map((v) => ['decode_lifecycle', v.value]),
      locale,
    );
    expect(answers).toEqual(
      vectors.lifecycles.map(({ decoded: d }) =>
        d === null ? '!' : `${d.phase} ${d.markMs} ${d.phase === 'quarantined' ? d.quarantinedMs : ''} ${d.markMs}`,
      ),
    );
  });

  test('runner-config signals decode as the golden vectors say', () => {
    const answers = callAgent(
      vectors.runnerConfigReady.map((v) => ['decode_config_ready', v.value]),
      locale,
    );
    expect(answers).toEqual(vectors.runnerConfigReady.map((v) => (v.atMs === null ? '!' : String(v.atMs))));
  });
});

test('an unknown state is refused, not encoded', () => {
  expect(callAgent([['encode_state', 'done', '', '1', '']], 'C')).toEqual(['!']);
});

test('sourcing the agent defines its functions and runs nothing (no config read, no state directory)', () => {
  // Prepare: settings that would make a running agent create its state directory
  const dir = mkdtempSync(join(tmpdir(), 'ghr-agent-source-'));
  try {
    const stateDir = join(dir, 'state');

    // Act
    const result = spawnSync(
      'bash',
      ['--norc', '-c', '. "$1" && declare -F encode_state main', 'source-check', AGENT],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GHR_POOL: 'p', GHR_CONFIG_PATH: '/c', GHR_STATE_DIR: stateDir },
      },
    );

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('encode_state\nmain\n');
    expect(result.stderr).toBe('');
    expect(existsSync(stateDir)).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
