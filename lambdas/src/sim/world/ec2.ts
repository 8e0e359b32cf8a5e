import { RateLimitedError } from '../../errors.js';
import type { FleetInstance, InstanceFilter } from '../../ports/ec2.js';
import { TAG, decodeLifecycle } from '../../core/tags.js';
import type { WorldContext } from './context.js';
import type { Instance, TagEntry } from './types.js';

export type TerminatedBy = NonNullable<Instance['terminatedBy']>;

export interface Ec2Hooks {
  /** An instance of a pool's launch template was launched: it boots its runner and agent. */
  onLaunched(instance: Instance): void;
  /** The runner and any job die at once (world-model.md, EC2 table). */
  onTerminating(instance: Instance, by: TerminatedBy): void;
  /** A tag changed on the instance: the agent sees it through IMDS at `imdsVisibleMs`. */
  onTagsChanged(instance: Instance, keys: readonly string[], imdsVisibleMs: number): void;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** EC2's side of world-model.md: instances, eventually consistent tags, states, throttling. */
/** Instance ids are `i-` + the launch ordinal (1-based) in hex: scripted timelines name instances by launch index. */
export function instanceIdFor(launchIndex: number): string {
  return `i-${(launchIndex + 1).toString(16).padStart(17, '0')}`;
}

export class Ec2World {
  readonly instances = new Map<string, Instance>();
  hooks: Ec2Hooks = { onLaunched() {}, onTerminating() {}, onTagsChanged() {} };
  /** Launch templates by name: the pool whose runners they boot and the tags EC2 copies to each instance. */
  readonly launchTemplates = new Map<
    string,
    { readonly pool: string; readonly tags: Readonly<Record<string, string>> }
  >();
  /** Scenario faults: windows in which every call is throttled. */
  throttleWindows: { fromMs: number; toMs: number }[] = [];
  private nextId = 0;
  private readonly buckets = new Map<'describe' | 'mutating', Bucket>();
  /** Instance types with no capacity left (tests and scenarios). */
  readonly exhausted = new Set<string>();

  constructor(private readonly ctx: WorldContext) {}

  /**
   * Launches an instance. From a known launch template it belongs to that template's pool and
   * carries its tags (request tags on top); without one it is a bare instance of no pool.
   */
  launch(input: {
    launchTemplateName?: string;
    instanceType: string;
    lifecycle: 'spot' | 'on-demand';
    tags: Readonly<Record<string, string>>;
  }): Instance {
    const id = instanceIdFor(this.nextId++);
    const now = this.ctx.now;
    const template =
      input.launchTemplateName === undefined ? undefined : this.launchTemplates.get(input.launchTemplateName);
    const tags = { ...template?.tags, ...input.tags };
    const instance: Instance = {
      id,
      pool: template?.pool ?? '',
      launchMs: now,
      instanceType: input.instanceType,
      lifecycle: input.lifecycle,
      state: 'pending',
      tags: new Map(),
      imdsTags: new Map(),
      truth: new Map(),
      everOnline: false,
      busyMs: 0,
      idleSinceMs: now,
      bootFailed: false,
    };
    for (const [key, value] of Object.entries(tags)) {
      instance.tags.set(key, [{ value, visibleMs: now }]);
      instance.imdsTags.set(key, [{ value, visibleMs: now }]);
      instance.truth.set(key, value);
    }
    this.instances.set(id, instance);
    this.ctx.record('ec2.launch', { instance: id, pool: instance.pool, lifecycle: input.lifecycle });
    this.ctx.engine.after(this.ctx.drawMs('ec2.running', this.ctx.params.ec2.runningSeconds), 'running', () => {
      if (instance.state === 'pending') instance.state = 'running';
    });
    this.hooks.onLaunched(instance);
    return instance;
  }

  /** Throttling: scenario windows, random `RequestLimitExceeded`, optional account token buckets. */
  admit(kind: 'describe' | 'mutating'): void {
    const now = this.ctx.now;
    const p = this.ctx.params.ec2;
    const inWindow = this.throttleWindows.some((w) => now >= w.fromMs && now < w.toMs);
    if (inWindow || this.ctx.rng('ec2.throttle').chance(p.throttleRate)) {
      throw new RateLimitedError('RequestLimitExceeded', now + 1000);
    }
    const spec = p.tokenBuckets?.[kind];
    if (!spec) return;
    const bucket = this.buckets.get(kind) ?? { tokens: spec.burst, atMs: now };
    bucket.tokens = Math.min(spec.burst, bucket.tokens + ((now - bucket.atMs) / 1000) * spec.perSecond);
    bucket.atMs = now;
    this.buckets.set(kind, bucket);
    if (bucket.tokens < 1) throw new RateLimitedError('RequestLimitExceeded', now + Math.ceil(1000 / spec.perSecond));
    bucket.tokens -= 1;
  }

  /** What DescribeInstances sees now: each tag's newest write that has become visible. */
  readTags(instance: Instance): Record<string, string> {
    return this.visible(instance.tags);
  }

  /** What the instance itself reads from instance metadata now (IMDS facade's tag source). */
  readImdsTags(instance: Instance): Record<string, string> {
    return this.visible(instance.imdsTags);
  }

  private visible(view: Map<string, TagEntry[]>): Record<string, string> {
    const now = this.ctx.now;
    const result: Record<string, string> = {};
    for (const [key, entries] of view) {
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i]!;
        if (entry.visibleMs <= now) {
          if (i > 0) entries.splice(0, i);
          if (entry.value !== undefined) result[key] = entry.value;
          break;
        }
      }
    }
    return result;
  }

  describe(instance: Instance): FleetInstance {
    return {
      instanceId: instance.id,
      state: instance.state,
      launchTimeMs: instance.launchMs,
      instanceType: instance.instanceType,
      lifecycle: instance.lifecycle,
      tags: this.readTags(instance),
    };
  }

  list(filter: InstanceFilter): FleetInstance[] {
    const result: FleetInstance[] = [];
    for (const instance of this.instances.values()) {
      if (filter.instanceIds && !filter.instanceIds.includes(instance.id)) continue;
      if (filter.states && !filter.states.includes(instance.state)) continue;
      if (
        instance.state === 'terminated' &&
        instance.terminatedMs !== undefined &&
        this.ctx.now - instance.terminatedMs > 3_600_000
      )
        continue;
      const view = this.describe(instance);
      if (filter.tagKeys && !filter.tagKeys.every((key) => key in view.tags)) continue;
      if (filter.tags && !Object.entries(filter.tags).every(([key, value]) => view.tags[key] === value)) continue;
      result.push(view);
    }
    return result;
  }

  /**
   * Guarantee 2 of docs/safety.md, per pool: the longest an instance stayed marked by scale-down
   * (first mark to termination or the mark's removal), and the longest from its latest recorded
   * quarantine (the time in `quarantined@<mark>/<time>`) to the same end. Spans still open at the
   * end are added by the accounting.
   */
  readonly retirementSpans = new Map<string, { markedMs: number; afterQuarantineMs: number }>();
  /** Instances scale-down has marked and not yet let go (L3's watch reads these only). */
  readonly marked = new Set<Instance>();

  private noteMark(instance: Instance, value: string | undefined): void {
    if (value !== undefined) {
      instance.markedSinceMs ??= this.ctx.now;
      this.marked.add(instance);
      const lifecycle = decodeLifecycle(value);
      if (lifecycle?.phase === 'quarantined') instance.quarantinedAtMs = lifecycle.quarantinedMs;
      return;
    }
    this.marked.delete(instance);
    if (instance.markedSinceMs === undefined) return;
    this.closeSpan(instance, this.ctx.now);
    delete instance.markedSinceMs;
    delete instance.quarantinedAtMs;
  }

  /** Records the retirement span of `instance` ending at `endMs`. */
  closeSpan(instance: Instance, endMs: number): void {
    if (instance.markedSinceMs === undefined) return;
    const span = this.retirementSpans.get(instance.pool) ?? { markedMs: 0, afterQuarantineMs: 0 };
    span.markedMs = Math.max(span.markedMs, endMs - instance.markedSinceMs);
    if (instance.quarantinedAtMs !== undefined)
      span.afterQuarantineMs = Math.max(span.afterQuarantineMs, endMs - instance.quarantinedAtMs);
    this.retirementSpans.set(instance.pool, span);
  }

  /** A tag write or delete (value undefined), visible to reads after the tag read lag. */
  writeTags(instance: Instance, tags: Readonly<Record<string, string | undefined>>, writer: string): void {
    const visibleMs = this.ctx.now + this.ctx.drawMs('ec2.tagLag', this.ctx.params.ec2.tagReadLagSeconds);
    const imdsVisibleMs = this.ctx.now + this.ctx.drawMs('ec2.imdsLag', this.ctx.params.ec2.imdsLagSeconds);
    const keys = Object.keys(tags);
    for (const key of keys) {
      const value = tags[key];
      for (const [view, at] of [
        [instance.tags, visibleMs],
        [instance.imdsTags, imdsVisibleMs],
      ] as const) {
        const entries = view.get(key) ?? [];
        entries.push({ value, visibleMs: at });
        view.set(key, entries);
      }
      if (value === undefined) instance.truth.delete(key);
      else instance.truth.set(key, value);
      if (key === TAG.lifecycle) this.noteMark(instance, value);
      this.ctx.record('ec2.tag', { instance: instance.id, by: writer, key, value: value ?? '(deleted)' });
    }
    if (instance.state !== 'terminated' && instance.state !== 'shutting-down')
      this.hooks.onTagsChanged(instance, keys, imdsVisibleMs);
  }

  /** TerminateInstances, instance-initiated shutdown (behaviour terminate), or spot reclaim. */
  terminate(instance: Instance, by: TerminatedBy): void {
    if (instance.state === 'shutting-down' || instance.state === 'terminated') return;
    instance.state = 'shutting-down';
    instance.terminatedMs = this.ctx.now;
    instance.terminatedBy = by;
    this.noteMark(instance, undefined);
    this.ctx.record('ec2.terminate', { instance: instance.id, by });
    this.hooks.onTerminating(instance, by);
    const delay = this.ctx.drawMs('ec2.shutdown', this.ctx.params.ec2.shutdownSeconds);
    this.ctx.engine.after(delay, 'terminated', () => {
      instance.state = 'terminated';
      this.ctx.record('ec2.terminated', { instance: instance.id });
    });
  }

  live(): Instance[] {
    return [...this.instances.values()].filter((i) => i.state === 'pending' || i.state === 'running');
  }
}
