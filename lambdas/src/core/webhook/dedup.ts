/**
 * Remembers recently seen ids (webhook deliveries, queue messages) so a replay that reaches
 * the same warm container has no second effect. Bounded: the oldest ids are forgotten first.
 *
 * This is a per-container memory, not a guarantee across containers: a replay that lands on
 * another container (or after a cold start) still gets through. What that costs is bounded
 * and safe: the job evidence write is idempotent, and a second launch for one job is one
 * surplus idle runner that scale-down retires. A durable store (a conditional write) can
 * replace this behind the same interface when that cost matters.
 */
export interface Dedup {
  /** True when `id` was recorded (and not yet forgotten). */
  has(id: string): boolean;
  /** Records `id` once its effect happened. */
  add(id: string): void;
}

export function recentIds(capacity = 10_000): Dedup {
  const ids = new Set<string>();
  return {
    has: (id) => ids.has(id),
    add(id) {
      ids.delete(id);
      ids.add(id);
      if (ids.size > capacity) {
        const [oldest] = ids;
        if (oldest !== undefined) ids.delete(oldest);
      }
    },
  };
}
