import type { QueuedEvent } from '../engine/queue.js';
import type { InstanceState } from '../../ports/ec2.js';
import type { RepoRef, RunnerLabel, RunnerOwner } from '../../ports/github.js';
import type { BootPhases } from './boot.js';

/** Why an assigned job did not complete. Control-plane causes count as kills; spot apart. */
export type KillCause = 'terminate' | 'delete' | 'label' | 'spot' | 'agent';

export interface Job {
  readonly id: number;
  readonly runId: number;
  readonly repo: RepoRef;
  readonly repoId: number;
  /** The repository owner's account: an organization or a user (webhook payloads say which). */
  readonly repoOwnerId: number;
  readonly repoOwnerType: 'Organization' | 'User';
  readonly labels: readonly string[];
  readonly pool: string | undefined;
  readonly arrivalMs: number;
  readonly durationMs: number;
  status: 'queued' | 'assigned' | 'running' | 'completed' | 'killed';
  runnerId?: number;
  runnerName?: string;
  runnerGroupId?: number;
  instanceId?: string;
  assignedMs?: number;
  workerStartMs?: number;
  /** REST `busy` reads true from here (variant A). */
  busyVisibleMs?: number;
  /** REST `busy` reads false again in [from, to) (variant B), absolute times. */
  staleFromMs?: number;
  staleToMs?: number;
  endMs?: number;
  cause?: KillCause;
  /** Guard (a) of docs/safety.md: the runner's quarantine had been requested when GitHub assigned this job. */
  quarantineRequestedMs?: number;
  /** Guard (b) held for it: GitHub refused a DELETE of its runner's registration while it was assigned. */
  deleteRefused?: boolean;
  /** Guard (b): the kind of registration that ran it, and whether a DELETE had gone through while it ran. */
  killedRegistration?: { readonly jit: boolean; readonly deletedWhileAssigned: boolean };
  /** GitHub's `run_attempt` (1 when absent): a re-run is the same run's next attempt. */
  readonly runAttempt?: number;
  /** A re-run: the job it is the next attempt of; on that job, the attempt that re-ran it. */
  rerunOf?: number;
  rerunAs?: number;
  /** Scripted timelines: the runner (by instance index) this job must go to. */
  pinnedInstance?: string;
  /** Scripted overrides of the drawn lags, milliseconds. */
  pinnedBusyLagMs?: number;
  pinnedStale?: readonly { readonly offsetMs: number; readonly durationMs: number }[];
}

export interface Registration {
  readonly id: number;
  readonly name: string;
  readonly owner: RunnerOwner;
  readonly ownerKey: string;
  readonly jit: boolean;
  /** A one-job registration made with a token (`config.sh --ephemeral`): GitHub removes it after its job. */
  readonly ephemeral: boolean;
  readonly instanceId: string;
  labels: RunnerLabel[];
  /** The pool's labels and group as registered: a change away from them is a quarantine. */
  readonly registeredCustomLabels: readonly string[];
  readonly registeredGroupId: number;
  /** When a change took the runner out of its pool's matching (label or group), until one restores it. */
  quarantineRequestedMs?: number;
  /** The labels and group matching uses; they follow REST changes after a propagation delay. */
  matchLabels: ReadonlySet<string>;
  groupId: number;
  matchGroupId: number;
  online: boolean;
  /** Deleted by REST DELETE, or consumed by a JIT assignment: REST answers 404. */
  deleted: boolean;
  consumed: boolean;
  jobId?: number;
  /** Test hook (contract suite): GitHub's REST view of `busy`, pinned. */
  forcedBusy?: boolean;
  pendingLabelChange?: QueuedEvent;
  pendingGroupChange?: QueuedEvent;
}

export interface TagEntry {
  readonly value: string | undefined;
  readonly visibleMs: number;
}

export interface Instance {
  readonly id: string;
  readonly pool: string;
  readonly launchMs: number;
  readonly instanceType: string;
  readonly lifecycle: 'spot' | 'on-demand';
  state: InstanceState;
  /** Per key, the writes still becoming visible and the last visible one (oldest first). */
  readonly tags: Map<string, TagEntry[]>;
  /** The instance's own view through instance metadata: the same writes, with the IMDS lag. */
  readonly imdsTags: Map<string, TagEntry[]>;
  /** The current truth (what both views converge to). */
  readonly truth: Map<string, string>;
  registrationId?: number;
  everOnline: boolean;
  /** The instance's whole life split into busy (a job assigned) and idle time. */
  busySinceMs?: number;
  busyMs: number;
  idleSinceMs: number;
  terminatedMs?: number;
  terminatedBy?: 'control-plane' | 'self' | 'spot';
  /** Since when scale-down's `ghr:lifecycle` mark has been on the instance (guarantee 2), if it is. */
  markedSinceMs?: number;
  /** The quarantine time of its latest `quarantined@<mark>/<time>` mark. */
  quarantinedAtMs?: number;
  bootFailed: boolean;
  /** CreateFleet to runner online, phase by phase, and where the runner came from (sim/world/boot.ts). */
  boot?: BootPhases;
  shutdownEvent?: QueuedEvent;
}
