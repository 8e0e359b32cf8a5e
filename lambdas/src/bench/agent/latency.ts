import { setTimeout as delay } from 'node:timers/promises';
import { decodeAgentState } from '../../core/tags.js';
import { median } from '../bundles.js';
import { AgentWorld, waitFor, type AwsMode, type Environment } from './world.js';

/** Median and maximum of one publication latency, in milliseconds. */
export interface LatencyFigure {
  readonly samples: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

export interface AgentLatency {
  readonly aws: AwsMode;
  readonly runs: number;
  readonly jobsPerRun: number;
  /** From the listener taking a job to `busy:<job>` landing on the instance's tag. */
  readonly busy: LatencyFigure;
  /** From the job's worker exiting to `idle` landing on the tag (the listener stays for the next job). */
  readonly idle: LatencyFigure;
  readonly aim: string;
}

export interface AgentLatencyOptions {
  readonly runs: number;
  readonly jobsPerRun?: number;
  readonly env: Environment;
  readonly aws: AwsMode;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A hang detector: each step takes about a second. */
const STEP_TIMEOUT_MS = 2 * 60_000;
const JOB = 'build';

/** Low-discrepancy fractions in [0, 1): the k-th multiple of the golden ratio, modulo 1. */
const spread = (k: number): number => (k * 0.6180339887498949) % 1;

function figure(samples: readonly number[]): LatencyFigure {
  return { samples: samples.length, medianMs: Math.round(median(samples)), maxMs: Math.max(...samples) };
}

/**
 * The real agent/ghr-agent.sh against the facades (the world of its tests), with its own default
 * timers: in each run a listener that stays for job after job; per job, the time from the job's
 * start to `busy` on the tag, and from its end to `idle` on the tag, both as the EC2 facade
 * received the write. Job starts and ends are spread over a second (the agent polls every second
 * by default), so the figures do not hang on where in its poll a job happens to start.
 */
export async function measureAgentLatency(options: AgentLatencyOptions): Promise<AgentLatency> {
  const jobsPerRun = options.jobsPerRun ?? 3;
  const busy: number[] = [];
  const idle: number[] = [];
  let k = 0;
  for (let run = 0; run < options.runs; run++) {
    const world = new AgentWorld({ env: options.env, aws: options.aws });
    try {
      await world.start();
      await world.putConfig();
      world.launchAgent({ ephemeral: true, keepListening: true, jobName: JOB });
      const heads = (from: number) =>
        world
          .writes()
          .slice(from)
          .map((w) => ({ write: w, state: decodeAgentState(w.value)?.state }));
      await waitFor(() => heads(0).some((h) => h.state === 'idle'), STEP_TIMEOUT_MS, 'the agent to publish idle');
      for (let job = 0; job < jobsPerRun; job++) {
        await delay(spread(++k) * 1000);
        let from = world.writes().length;
        world.signal('start-job');
        await waitFor(() => heads(from).some((h) => h.state === 'busy'), STEP_TIMEOUT_MS, 'busy');
        busy.push(heads(from).find((h) => h.state === 'busy')!.write.atMs - world.jobStarts()[job]!);

        await delay(spread(++k) * 1000);
        from = world.writes().length;
        world.signal('finish-job');
        await waitFor(() => heads(from).some((h) => h.state === 'idle'), STEP_TIMEOUT_MS, 'idle after the job');
        idle.push(heads(from).find((h) => h.state === 'idle')!.write.atMs - world.jobEnds()[job]!);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`agent run ${run + 1}: ${message}\nagent output:\n${world.output}`, { cause: error });
    } finally {
      await world.close();
    }
    options.onProgress?.(run + 1, options.runs);
  }
  return {
    aws: options.aws,
    runs: options.runs,
    jobsPerRun,
    busy: figure(busy),
    idle: figure(idle),
    aim: 'a job start on the tag within 4 s (world-model.md: the agent sees a worker within 1 s, writes within 0-3 s)',
  };
}
