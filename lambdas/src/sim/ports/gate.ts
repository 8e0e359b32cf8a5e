/**
 * Decides, before each port call of one control-plane invocation, whether the invocation
 * crashes there (scenario fault: "a crash of a control-plane run at a named step at a time").
 * A crashed invocation's calls never return, as if the Lambda died mid-flight.
 */
export interface CallGate {
  /** true: the invocation is dead; the call must not run. */
  crashed(step: string): boolean;
}

export const openGate: CallGate = { crashed: () => false };

/** The network on the way to the service: a virtual delay before the call takes effect (0: none). */
export interface CallLatency {
  drawMs(): number;
  sleep(ms: number): Promise<void>;
}

function attempt<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Runs `run` unless the gate says the invocation crashed (then hangs forever). With a latency,
 * the call takes effect after the drawn delay, so other world events can interleave with it.
 */
export function gated<T>(gate: CallGate, step: string, run: () => T, latency?: CallLatency): Promise<T> {
  if (gate.crashed(step)) return new Promise<T>(() => {});
  const delayMs = latency?.drawMs() ?? 0;
  if (delayMs <= 0 || !latency) return attempt(run);
  return latency.sleep(delayMs).then(() => attempt(run));
}
