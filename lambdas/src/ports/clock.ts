/**
 * Time as a port: production uses the wall clock; the simulator a virtual clock, so a
 * scale-down run that waits out its settle period takes no real time there.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
