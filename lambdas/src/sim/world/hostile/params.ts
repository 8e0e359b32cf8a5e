import { z } from 'zod';

/**
 * How a hostile runner lies about its state (docs/threat-model.md rows 8–9). Each hostile instance
 * takes one, drawn from the seeded RNG at launch:
 * - `future-busy`: `busy:<job>@<far future>`, so its state looks fresh for a year;
 * - `busy-forever`: `busy:<job>@<now>` rewritten every minute, idle or not;
 * - `idle-while-busy` / `exited-while-busy`: `idle@<now>` or `exited@<now>` while a job runs
 *   (the truth otherwise), so the control plane acts on a runner that works.
 */
export const TACTICS = ['future-busy', 'busy-forever', 'idle-while-busy', 'exited-while-busy'] as const;
export type Tactic = (typeof TACTICS)[number];

/** `world.hostile` of a scenario: absent in every scenario but the adversarial ones. */
export const hostileParamsSchema = z.strictObject({
  /** Share of launched instances whose jobs are attackers (root, with the instance profile). */
  share: z.number().min(0).max(1),
  tactics: z
    .array(z.enum(TACTICS))
    .min(1)
    .default([...TACTICS]),
  /** Each hostile instance tries every attack (forged messages, foreign SSM reads) this often. */
  attackEveryMinutes: z.number().positive().default(10),
  /** The busy-forever and future-busy liars rewrite their tag this often. */
  rewriteEveryMinutes: z.number().positive().default(1),
  /** How far ahead a future-busy liar dates its tag. */
  futureHours: z
    .number()
    .positive()
    .default(24 * 365),
});

export type HostileParams = z.output<typeof hostileParamsSchema>;
