/**
 * What hostile jobs tried, and what stopped each attempt (the `--json` key `hostileAttempts`).
 * `deniedByIam` is the runner role (iam.ts) answering AccessDenied; anything an attempt achieved
 * past IAM is counted under its own name, so a weakness shows as a non-zero count, not a silence.
 */
export interface Tally {
  attempted: number;
  deniedByIam: number;
}

export interface HostileCounts {
  /** Tag writes: its own `ghr:agent-state` (allowed: `written`), anything else (denied). */
  readonly forgedTags: Tally & { written: number; byTactic: Record<string, number> };
  /** Job messages to other pools' job queues (a launch there, or fake demand). */
  readonly sendToOtherPool: Tally & { delivered: number };
  /** Job messages to its own pool's job queue. */
  readonly sendToOwnJobQueue: Tally & { delivered: number };
  /**
   * Recycle requests naming an instance not its own: to other pools' recycle queues, and to its
   * own pool's naming a pool-mate or another pool. Those IAM lets through reach the real scale-up:
   * `honoured` when the named instance got a registration in the invocation that consumed the
   * request, `droppedByScaleUp` when it left the queue without one, `pending` at the end.
   * `honouredFor` says whose: an honest instance waiting for that registration anyway (its own
   * request would have got it), a hostile one (it lies `exited`: its own domain), or an honest
   * instance that was not waiting — the one that would be a second registration it never asked for.
   */
  readonly forgedRecycle: Tally & {
    droppedByScaleUp: number;
    honoured: number;
    pending: number;
    honouredFor: { honestWaiting: number; hostile: number; honestNotWaiting: number };
  };
  /** GetParameter of another instance's JIT config (other pools and its own). */
  readonly readOtherConfig: Tally & { read: number };
  readonly deleteOtherConfig: Tally & { deleted: number };
  /** GetParametersByPath on the runner config path (a listing of every registration). */
  readonly listConfigs: Tally & { listed: number };
  /** GetParameter of the GitHub App's private key. */
  readonly readAppSecret: Tally & { read: number };
}

const tally = (): Tally => ({ attempted: 0, deniedByIam: 0 });

export function emptyCounts(): HostileCounts {
  return {
    forgedTags: { ...tally(), written: 0, byTactic: {} },
    sendToOtherPool: { ...tally(), delivered: 0 },
    sendToOwnJobQueue: { ...tally(), delivered: 0 },
    forgedRecycle: {
      ...tally(),
      droppedByScaleUp: 0,
      honoured: 0,
      pending: 0,
      honouredFor: { honestWaiting: 0, hostile: 0, honestNotWaiting: 0 },
    },
    readOtherConfig: { ...tally(), read: 0 },
    deleteOtherConfig: { ...tally(), deleted: 0 },
    listConfigs: { ...tally(), listed: 0 },
    readAppSecret: { ...tally(), read: 0 },
  };
}

/** Counts one attempt; true when IAM allowed it (the caller then carries it out). */
export function attempt(t: Tally, allowed: boolean): boolean {
  t.attempted++;
  if (!allowed) t.deniedByIam++;
  return allowed;
}
