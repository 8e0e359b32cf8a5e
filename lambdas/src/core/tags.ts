/**
 * Instance tag keys. The `ghr:*` keys match the upstream module so fleets can migrate.
 * Tag keys must be legal in instance metadata (letters, digits and `+ - = . , _ : @`; no `/`,
 * no spaces): the agent reads its own tags through IMDS, and EC2 refuses to launch an
 * instance with instance-metadata tags enabled and such a key
 * (EC2 user guide, "View tags using instance metadata").
 */
export const TAG = {
  environment: 'ghr:environment',
  application: 'ghr:Application',
  owner: 'ghr:Owner',
  type: 'ghr:Type',
  pool: 'ghr:pool',
  runnerId: 'ghr:github_runner_id',
  orphan: 'ghr:orphan',
  bypassRemoval: 'ghr:bypass-removal',
  /** Lifecycle written by scale-down: `retiring@<markMs>` or `quarantined@<markMs>/<quarMs>` (codec below). */
  lifecycle: 'ghr:lifecycle',
  /**
   * The fencing token of the scale-down run that owns the mark (its lease's token, decimal ms):
   * written with the mark, rewritten by a later run that resumes it, checked before every step
   * that acts on the instance (docs/safety.md, guarantee 4). The agent never reads it.
   */
  fence: 'ghr:fence',
  /** The last job seen starting on the instance after its quarantine took effect (guard (a) failed): recorded once. */
  guardAFailed: 'ghr:guard-a-failed',
  /** Agent state: `idle@<ms>`, `busy:<job-id>@<ms>`, `exited@<ms>`, optionally `/ack:<markMs>` (codec below). */
  agentState: 'ghr:agent-state',
  /** Job evidence from the webhook: `in_progress:<job-id>@<ms>` or `completed:<job-id>@<ms>` (codec below). */
  jobEvidence: 'ghr:job',
  /** The repository (`owner/repo`) of the job in `ghr:job`, written with it by the webhook: a re-run needs it. */
  jobRepo: 'ghr:job-repo',
  /**
   * EC2's two-minute spot interruption warning reached scale-up (decimal ms of the warning): written
   * by scale-up from the EventBridge event, never by the instance (its role may tag only its agent state).
   */
  spotInterruption: 'ghr:spot-interruption',
  /** EC2's rebalance recommendation, in a pool that drains on it (decimal ms); scale-up's, like the warning's. */
  spotRebalance: 'ghr:spot-rebalance',
} as const;

/**
 * EC2 is about to reclaim the instance (`ghr:spot-interruption`), or its pool drains it at a rebalance
 * recommendation (`ghr:spot-rebalance`); both written by scale-up from EC2's own events. Its runner is
 * quarantined: no job should be given to it, and nothing should keep it (core/scale-up/spot.ts).
 */
export function isSpotDoomed(tags: Readonly<Record<string, string>>): boolean {
  return tags[TAG.spotInterruption] !== undefined || tags[TAG.spotRebalance] !== undefined;
}

export const INSTANCE_METADATA_TAG_KEY = /^[A-Za-z0-9+\-=._:@]{1,128}$/;

/*
 * Tag value codecs. Values use only letters, digits and `: @ / . -` so they are legal
 * everywhere AWS tags are (general tag restrictions) and trivial to write from bash.
 *
 *   ghr:lifecycle    retiring@<markMs>                 marked, quarantine not yet confirmed
 *                    quarantined@<markMs>/<quarMs>      quarantine applied at quarMs
 *   ghr:agent-state  idle@<ms> | busy:<jobId>@<ms> | exited@<ms>, optionally /ack:<markMs>
 *   ghr:job          in_progress:<jobId>@<ms> | completed:<jobId>@<ms>
 *
 * The agent acknowledges a retirement by echoing the mark's time (`/ack:<markMs>`), so an
 * acknowledgement is matched to its mark without comparing two machines' clocks.
 *
 * The runner agent (agent/ghr-agent.sh) re-implements the part it needs in bash: encoding its state
 * (`encode_state`, `sanitize_job`) and decoding lifecycle marks (`decode_lifecycle`). Both sides are
 * held to the same golden vectors, agent/test-vectors/tags.json; a change here changes them.
 */

export type Lifecycle =
  | { readonly phase: 'retiring'; readonly markMs: number }
  | { readonly phase: 'quarantined'; readonly markMs: number; readonly quarantinedMs: number };

export type AgentStateName = 'idle' | 'busy' | 'exited';

export interface AgentState {
  readonly state: AgentStateName;
  readonly jobId?: string;
  readonly atMs: number;
  readonly ackMarkMs?: number;
}

export interface JobEvidence {
  readonly status: 'in_progress' | 'completed';
  readonly jobId: string;
  readonly atMs: number;
}

const INT = '(\\d{1,16})';
const JOB_ID_BYTE = /^[A-Za-z0-9._-]$/;
const JOB_ID_MAX = 64;

/**
 * The job id the agent-state codec carries for a job name (the listener's `Running job: <name>`,
 * which may hold spaces, slashes, parentheses, any Unicode): every UTF-8 byte outside
 * `[A-Za-z0-9._-]` becomes `-`, the result is cut to 64 characters, and an empty name is `unknown`.
 * Bytes rather than characters so the bash agent computes the same id whatever its locale.
 */
export function sanitizeJobId(name: string): string {
  let id = '';
  for (const byte of new TextEncoder().encode(name)) {
    if (id.length === JOB_ID_MAX) break;
    const char = String.fromCharCode(byte);
    id += JOB_ID_BYTE.test(char) ? char : '-';
  }
  return id === '' ? 'unknown' : id;
}

export function encodeLifecycle(lifecycle: Lifecycle): string {
  return lifecycle.phase === 'retiring'
    ? `retiring@${lifecycle.markMs}`
    : `quarantined@${lifecycle.markMs}/${lifecycle.quarantinedMs}`;
}

export function decodeLifecycle(value: string | undefined): Lifecycle | undefined {
  if (value === undefined) return undefined;
  const retiring = new RegExp(`^retiring@${INT}$`).exec(value);
  if (retiring) return { phase: 'retiring', markMs: Number(retiring[1]) };
  const quarantined = new RegExp(`^quarantined@${INT}/${INT}$`).exec(value);
  if (quarantined) {
    return { phase: 'quarantined', markMs: Number(quarantined[1]), quarantinedMs: Number(quarantined[2]) };
  }
  return undefined;
}

/** Total: a busy state's job name is reduced to a job id (`sanitizeJobId`), so the value always decodes. */
export function encodeAgentState(state: AgentState): string {
  const head = state.state === 'busy' ? `busy:${sanitizeJobId(state.jobId ?? '')}` : state.state;
  const ack = state.ackMarkMs === undefined ? '' : `/ack:${state.ackMarkMs}`;
  return `${head}@${state.atMs}${ack}`;
}

export function decodeAgentState(value: string | undefined): AgentState | undefined {
  if (value === undefined) return undefined;
  const match = new RegExp(`^(idle|exited|busy:([A-Za-z0-9._-]{1,64}))@${INT}(?:/ack:${INT})?$`).exec(value);
  if (!match) return undefined;
  const [, head, jobId, at, ack] = match;
  const state: AgentStateName = head!.startsWith('busy') ? 'busy' : (head as 'idle' | 'exited');
  return {
    state,
    ...(jobId === undefined ? {} : { jobId }),
    atMs: Number(at),
    ...(ack === undefined ? {} : { ackMarkMs: Number(ack) }),
  };
}

export function encodeJobEvidence(evidence: JobEvidence): string {
  return `${evidence.status}:${evidence.jobId}@${evidence.atMs}`;
}

export function decodeJobEvidence(value: string | undefined): JobEvidence | undefined {
  if (value === undefined) return undefined;
  const match = new RegExp(`^(in_progress|completed):([A-Za-z0-9._-]{1,64})@${INT}$`).exec(value);
  if (!match) return undefined;
  return { status: match[1] as JobEvidence['status'], jobId: match[2]!, atMs: Number(match[3]) };
}

/**
 * Written by scale-up when a fresh runner config waits in SSM (`ready@<ms>`, its clock); the agent
 * watches it through instance metadata, scale-down reads when the instance's newest registration came.
 */
export const RUNNER_CONFIG_TAG = 'ghr:runner-config';

export function encodeRunnerConfigReady(atMs: number): string {
  return `ready@${atMs}`;
}

export function decodeRunnerConfigReady(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^ready@(\d{1,16})$/.exec(value);
  return match ? Number(match[1]) : undefined;
}
