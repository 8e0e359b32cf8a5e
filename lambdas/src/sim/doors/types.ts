import type { ScaleUpConfig } from '../../config/schema.js';
import type { ScaleUpAnswer, ScaleUpInvocation } from '../../core/scale-up/index.js';
import type { ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import type { WebhookHttpEvent, WebhookHttpResult } from '../../core/webhook/index.js';
import type { Settle } from '../engine/engine.js';
import type { ControlPlaneConfigs } from '../control-plane/configs.js';
import type { FunctionCode } from '../world/lambda/service.js';
import type { BatchResult, SqsEvent } from '../world/lambda/triggers.js';
import type { World } from '../world/world.js';
import type { HttpStack } from '../http/stack.js';

/** What the control plane is made of for one run: the three functions' configs and the scale-down protocol. */
export interface ControlPlaneSpec {
  readonly configs: ControlPlaneConfigs;
  /** Ours in every run the project claims anything about; a baseline when comparing. */
  readonly strategy: ScaleDownStrategy;
}

/** The real control plane's code, as a door hands it to the world's Lambda. */
export interface ControlPlaneCode {
  readonly webhook: FunctionCode<WebhookHttpEvent, WebhookHttpResult>;
  /** On the pools' queues (SQS events), the warm-pool schedule and EC2's spot warnings. */
  scaleUp(config: ScaleUpConfig): FunctionCode<SqsEvent | ScaleUpInvocation, BatchResult | ScaleUpAnswer>;
  readonly scaleDown: FunctionCode<unknown, ScaleDownReport>;
}

export interface OpenDoor {
  readonly code: ControlPlaneCode;
  /** The HTTP facades over the world (the HTTP door), for anyone else to call. */
  readonly stack?: HttpStack;
  /** Secret values the door's side created (for the log scan), read at any time. */
  secrets(): readonly string[];
  /** Facts about the door's own plumbing (HTTP requests sent, facade calls), for reports. */
  facts(): Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * How the control plane's code reaches the world. `in-process`: the real core of each function
 * over in-process ports (deterministic, fast: what the property tests and the bench run);
 * `http`: the real Lambda handlers with the production adapters (Octokit, AWS SDK v3) through
 * the world's HTTP facades (what `npm start` shows). The world, its Lambda and the workload are
 * the same either way; only the wire between code and world differs.
 */
export interface Door {
  readonly name: 'in-process' | 'http';
  /** The engine's settle step (the HTTP door waits for requests in flight); built before the world. */
  readonly settle?: Settle;
  open(world: World, spec: ControlPlaneSpec): Promise<OpenDoor>;
}
