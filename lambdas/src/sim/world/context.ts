import type { Engine } from '../engine/engine.js';
import type { EventLog, LogValue } from '../engine/event-log.js';
import type { Rng, RngStreams } from '../engine/rng.js';
import type { Range, WorldParams } from './params.js';

/** What every part of the world shares: time, randomness, parameters and the event log. */
export class WorldContext {
  constructor(
    readonly engine: Engine,
    readonly rngs: RngStreams,
    readonly params: WorldParams,
    readonly eventLog: EventLog,
  ) {}

  get now(): number {
    return this.engine.now;
  }

  rng(name: string): Rng {
    return this.rngs.stream(name);
  }

  /** A draw from a `[min, max]` seconds range, in milliseconds (whole ms keep logs stable). */
  drawMs(stream: string, range: Range): number {
    return Math.round(this.rng(stream).uniform(range[0], range[1]) * 1000);
  }

  record(kind: string, fields?: Readonly<Record<string, LogValue>>): void {
    this.eventLog.record(this.engine.now, kind, fields);
  }
}
