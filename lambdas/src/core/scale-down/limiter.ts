/**
 * Bounded concurrency with two limits: at most `global` tasks at once, and at most `perKey`
 * per key (a GitHub owner: one installation's concurrent-request and points budget,
 * architecture.md §7). Tasks start in submission order when a slot is free for their key.
 */
export interface ConcurrencyLimits {
  readonly global: number;
  readonly perKey: number;
}

interface Pending {
  readonly key: string;
  readonly start: () => void;
}

export class KeyedLimiter {
  private running = 0;
  private readonly runningByKey = new Map<string, number>();
  private readonly pending: Pending[] = [];

  constructor(private readonly limits: ConcurrencyLimits) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        key,
        start: () => {
          task()
            .then(resolve, reject)
            .finally(() => this.release(key));
        },
      });
      this.pump();
    });
  }

  private release(key: string): void {
    this.running -= 1;
    this.runningByKey.set(key, (this.runningByKey.get(key) ?? 1) - 1);
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.pending.length && this.running < this.limits.global;) {
      const next = this.pending[i]!;
      const forKey = this.runningByKey.get(next.key) ?? 0;
      if (forKey >= this.limits.perKey) {
        i += 1;
        continue;
      }
      this.pending.splice(i, 1);
      this.running += 1;
      this.runningByKey.set(next.key, forKey + 1);
      next.start();
    }
  }
}

/** Runs `task` for every item under the limiter; settles when all have finished. */
export async function forEachLimited<T>(
  limiter: KeyedLimiter,
  items: readonly T[],
  keyOf: (item: T) => string,
  task: (item: T) => Promise<void>,
): Promise<PromiseSettledResult<void>[]> {
  return Promise.allSettled(items.map((item) => limiter.run(keyOf(item), () => task(item))));
}
