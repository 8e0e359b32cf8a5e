import { z } from 'zod';
import { AlreadyExistsError, NotFoundError } from '../../errors.js';
import type { Clock, SsmPort } from '../../ports/index.js';

/**
 * The one-writer lease (architecture.md §3 "One writer"): an SSM parameter created without
 * overwrite, holding `{holder, expiresAtMs}`. PutParameter without overwrite fails when the
 * name exists (world-model.md, SSM), so exactly one run creates it. An expired lease (its run
 * crashed) may be taken over: read, check expiry, delete, create again without overwrite; if
 * two runs race the takeover, the create decides.
 */
const leaseValue = z.object({ holder: z.string().min(1), expiresAtMs: z.number().int() });

export interface LeaseOptions {
  readonly ssm: SsmPort;
  readonly clock: Clock;
  readonly parameterName: string;
  readonly ttlSeconds: number;
  readonly holder: string;
}

export interface Lease {
  readonly holder: string;
  release(): Promise<void>;
}

async function create(options: LeaseOptions): Promise<boolean> {
  const value = JSON.stringify({
    holder: options.holder,
    expiresAtMs: options.clock.now() + options.ttlSeconds * 1000,
  });
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
  if (!(await create(options))) {
    const current = await readHolder(options);
    // An unreadable value is treated as expired: only this module writes it.
    if (current !== 'absent' && current !== 'unreadable' && current.expiresAtMs > options.clock.now()) return undefined;
    if (current !== 'absent') await remove(options);
    if (!(await create(options))) return undefined;
  }
  return {
    holder: options.holder,
    release: async () => {
      const current = await readHolder(options);
      // Release only our own lease: after an expiry another run may hold it now.
      if (current !== 'absent' && current !== 'unreadable' && current.holder === options.holder) await remove(options);
    },
  };
}
