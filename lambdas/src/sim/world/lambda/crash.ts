import type { CallGate } from '../../ports/gate.js';

/**
 * A crash of one control-plane invocation (issue 8 class 4, issue 12 item 6): the first
 * invocation of `function` at or after `atMinute` dies at a named point, as a Lambda whose
 * process is killed: its port calls never return and it writes nothing more.
 *
 * The point: once `after` has been seen `afterCount` times (a port call name such as
 * `ec2.CreateTags` or `github.DELETE /orgs/{org}/actions/runners/{id}`, or an `info` message of
 * the core such as `runner quarantined`) — or at once without `after` — it dies at the first call
 * or message whose name contains `step`, or `delaySeconds` later (inside a wait), or, with neither,
 * at the very next call or message. A crash stays armed until an invocation reaches its point.
 */
export interface CrashSpec {
  readonly function: string;
  readonly atMinute: number;
  /** How the crash is reported (default: `after` / `step`). */
  readonly label?: string;
  readonly after?: string;
  readonly afterCount?: number;
  readonly step?: string;
  readonly delaySeconds?: number;
}

export function crashLabel(spec: CrashSpec): string {
  return spec.label ?? [spec.after, spec.step].filter((s) => s !== undefined).join(' → ');
}

export interface ArmedCrash {
  readonly spec: CrashSpec;
  readonly atMs: number;
  fired: boolean;
}

/** The gate of one invocation: it sees every call and `info` message, and says when the invocation is dead. */
export class InvocationGate implements CallGate {
  private seenAfter = 0;
  private armed: boolean;
  dead = false;
  /** Why it died: the crash label, or `timeout`. */
  cause?: string;

  constructor(
    private readonly crash: ArmedCrash | undefined,
    private readonly onDeath: (cause: string, where: string) => void,
    private readonly after: (ms: number, run: () => void) => void,
  ) {
    this.armed = crash !== undefined && crash.spec.after === undefined;
    if (this.armed) this.onArmed('start');
  }

  /** A port call or a core `info` message: dies there when the crash point is reached. */
  crashed(step: string): boolean {
    this.see(step);
    return this.dead;
  }

  see(name: string): void {
    const crash = this.crash;
    if (this.dead || crash === undefined || crash.fired) return;
    const spec = crash.spec;
    if (!this.armed) {
      if (spec.after !== undefined && name.includes(spec.after)) {
        this.seenAfter++;
        if (this.seenAfter >= (spec.afterCount ?? 1)) {
          this.armed = true;
          this.onArmed(name);
        }
      }
      return;
    }
    if (spec.delaySeconds !== undefined) return;
    if (spec.step === undefined || name.includes(spec.step)) this.kill(crashLabel(spec), name);
  }

  private onArmed(where: string): void {
    const spec = this.crash?.spec;
    if (spec?.delaySeconds === undefined) return;
    this.after(spec.delaySeconds * 1000, () => this.kill(crashLabel(spec), `${where} +${spec.delaySeconds}s`));
  }

  /** Kills the invocation (a crash point, or its timeout). */
  kill(cause: string, where: string): void {
    if (this.dead) return;
    this.dead = true;
    this.cause = cause;
    if (this.crash && cause !== 'timeout') this.crash.fired = true;
    this.onDeath(cause, where);
  }
}
