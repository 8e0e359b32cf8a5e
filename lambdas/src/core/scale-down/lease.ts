import { z } from 'zod';
import { AlreadyExistsError, NotFoundError } from '../../errors.js';
import type { Clock, SsmPort } from '../../ports/index.js';
import { LEASE_MARGIN_SECONDS } from '../../config/run-budget.js';

/**
 * The one-writer lease (architecture.md §3 "One writer"): an SSM parameter created without
 * overwrite, holding `{holder, expiresAtMs}`. PutParameter without overwrite fails when the
 * name exists (world-model.md, SSM), so exactly one run creates it. An expired lease (its run
 * crashed) may be taken over: read, check expiry, delete, create again without overwrite; if
 * two runs race the takeover, the create decides.
 */
const leaseValue = z.object({ holder: z.string().min(1), expiresAtMs: z.number().int() });

/** How long before its lease expires a run stops acting (guarantee 4 of docs/safety.md; run-budget.ts). */
export const LEASE_MARGIN_MS = LEASE_MARGIN_SECONDS * 1000;

export interface LeaseOptions {
  readonly ssm: SsmPort;
  readonly clock: Clock;
  readonly parameterName: string;
  readonly ttlSeconds: number;
  readonly holder: string;
}

export interface Lease {
  readonly holder: string;
  /**
   * The fencing token: when this run took the lease (ms). A later holder's is larger. It is written
   * on every instance the run marks or resumes (`ghr:fence`), and checked before acting on it.
   */
  readonly token: number;
  readonly expiresAtMs: number;
  /**
   * True while this run may act: its margin before expiry not reached (`LEASE_MARGIN_MS`), and the
   * parameter still names it. One SSM read.
   */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

async function create(options: LeaseOptions, nowMs: number): Promise<boolean> {
  const value = JSON.stringify({ holder: options.holder, expiresAtMs: nowMs + options.ttlSeconds * 1000 });
  try {
    await options.ssm.putParameter({
      name: options.parameterName,
      value,
      type: 'String',
      overwrite: false,
      description: 'github-runner-fleet scale-down lease',
    });
    return true;
  } catch (error) {
    if (error instanceof AlreadyExistsError) return false;
    throw error;
  }
}

async function readHolder(options: LeaseOptions): Promise<z.infer<typeof leaseValue> | 'absent' | 'unreadable'> {
  try {
    const parameter = await options.ssm.getParameter(options.parameterName);
    let json: unknown;
    try {
      json = JSON.parse(parameter.value);
    } catch {
      return 'unreadable';
    }
    const parsed = leaseValue.safeParse(json);
    return parsed.success ? parsed.data : 'unreadable';
  } catch (error) {
    if (error instanceof NotFoundError) return 'absent';
    throw error;
  }
}

async function remove(options: LeaseOptions): Promise<void> {
  try {
    await options.ssm.deleteParameter(options.parameterName);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

/** The lease, or undefined when another run holds an unexpired one. */
export async function acquireLease(options: LeaseOptions): Promise<Lease | undefined> {
  let acquiredMs = options.clock.now();
  if (!(await create(options, acquiredMs))) {
    const current = await readHolder(options);
    // An unreadable value is treated as expired: only this module writes it.
    if (current !== 'absent' && current !== 'unreadable' && current.expiresAtMs > options.clock.now()) return undefined;
    if (current !== 'absent') await remove(options);
    acquiredMs = options.clock.now();
    if (!(await create(options, acquiredMs))) return undefined;
  }
  const expiresAtMs = acquiredMs + options.ttlSeconds * 1000;
  // SSM has no conditional delete: a run that read the same expired lease may delete ours right
  // after we created it and create its own. Whoever the parameter names holds the lease; the
  // other learns it here or at its next `stillHeld`, before it acts.
  const ours = async (): Promise<boolean> => {
    const current = await readHolder(options);
    return current !== 'absent' && current !== 'unreadable' && current.holder === options.holder;
  };
  if (!(await ours())) return undefined;
  return {
    holder: options.holder,
    token: acquiredMs,
    expiresAtMs,
    stillHeld: async () => options.clock.now() < expiresAtMs - LEASE_MARGIN_MS && (await ours()),
    release: async () => {
      // Past its margin the lease is left to expire: another run may take it over any moment, and
      // a delete after the read below would remove that run's lease.
      if (options.clock.now() >= expiresAtMs - LEASE_MARGIN_MS) return;
      if (await ours()) await remove(options);
    },
  };
}
