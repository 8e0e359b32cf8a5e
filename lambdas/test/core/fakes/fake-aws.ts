import { AlreadyExistsError, NotFoundError } from '../../../src/errors.js';
import type {
  Clock,
  CreateFleetResult,
  Ec2Port,
  FleetInstance,
  InstanceFilter,
  Parameter,
  ParameterInfo,
  PutParameterRequest,
  SqsPort,
  SsmPort,
} from '../../../src/ports/index.js';

type MutableInstance = { -readonly [K in keyof FleetInstance]: FleetInstance[K] } & { tags: Record<string, string> };

/** A virtual clock: `sleep` advances time at once and runs the listeners (the "world" moving on). */
export class FakeClock implements Clock {
  onSleep: (fromMs: number, toMs: number) => void = () => {};
  constructor(public nowMs: number) {}
  now(): number {
    return this.nowMs;
  }
  async sleep(ms: number): Promise<void> {
    const from = this.nowMs;
    this.nowMs += ms;
    this.onSleep(from, this.nowMs);
  }
}

export class FakeEc2 implements Ec2Port {
  readonly instances = new Map<string, MutableInstance>();
  readonly calls: string[] = [];
  before: (call: string, ids: readonly string[], tags?: Readonly<Record<string, string>>) => void = () => {};
  after: (call: string, ids: readonly string[], tags?: Readonly<Record<string, string>>) => void = () => {};

  add(instance: Partial<FleetInstance> & { instanceId: string }): MutableInstance {
    const full: MutableInstance = {
      state: 'running',
      launchTimeMs: 0,
      instanceType: 'm7g.large',
      lifecycle: 'spot',
      ...instance,
      tags: { ...instance.tags },
    };
    this.instances.set(full.instanceId, full);
    return full;
  }

  private async call<T>(
    name: string,
    ids: readonly string[],
    body: () => T,
    tags?: Record<string, string>,
  ): Promise<T> {
    this.calls.push(name);
    this.before(name, ids, tags);
    const result = body();
    this.after(name, ids, tags);
    return result;
  }

  listInstances(filter: InstanceFilter): Promise<FleetInstance[]> {
    return this.call('listInstances', filter.instanceIds ?? [], () =>
      [...this.instances.values()]
        .filter((i) => Object.entries(filter.tags ?? {}).every(([k, v]) => i.tags[k] === v))
        .filter((i) => (filter.tagKeys ?? []).every((k) => k in i.tags))
        .filter((i) => filter.states === undefined || filter.states.includes(i.state))
        .filter((i) => filter.instanceIds === undefined || filter.instanceIds.includes(i.instanceId))
        .map((i) => ({ ...i, tags: { ...i.tags } })),
    );
  }
  createTags(ids: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    return this.call(
      'createTags',
      ids,
      () => {
        for (const id of ids) Object.assign(this.get(id).tags, tags);
      },
      { ...tags },
    );
  }
  deleteTags(ids: readonly string[], keys: readonly string[]): Promise<void> {
    return this.call('deleteTags', ids, () => {
      for (const id of ids) for (const key of keys) delete this.get(id).tags[key];
    });
  }
  terminateInstances(ids: readonly string[]): Promise<void> {
    return this.call('terminateInstances', ids, () => {
      for (const id of ids) this.get(id).state = 'terminated';
    });
  }
  createFleet(): Promise<CreateFleetResult> {
    return Promise.reject(new Error('not used'));
  }
  private get(id: string): MutableInstance {
    const instance = this.instances.get(id);
    if (instance === undefined) throw new NotFoundError(`instance ${id} not found`);
    return instance;
  }
}

export class FakeSsm implements SsmPort {
  readonly parameters = new Map<string, Parameter>();
  constructor(private readonly clock: Clock) {}
  async getParameter(name: string): Promise<Parameter> {
    const found = this.parameters.get(name);
    if (found === undefined) throw new NotFoundError(`parameter ${name} not found`);
    return found;
  }
  async getParameters(names: readonly string[]): Promise<Parameter[]> {
    return names.flatMap((n) => this.parameters.get(n) ?? []);
  }
  async putParameter(request: PutParameterRequest): Promise<{ version: number }> {
    const existing = this.parameters.get(request.name);
    if (existing !== undefined && !request.overwrite) throw new AlreadyExistsError(`parameter ${request.name} exists`);
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(request.name, {
      name: request.name,
      value: request.value,
      version,
      lastModifiedMs: this.clock.now(),
    });
    return { version };
  }
  async deleteParameter(name: string): Promise<void> {
    if (!this.parameters.delete(name)) throw new NotFoundError(`parameter ${name} not found`);
  }
  async listParameters(path: string): Promise<ParameterInfo[]> {
    return [...this.parameters.values()]
      .filter((p) => p.name.startsWith(path))
      .map((p) => ({ name: p.name, lastModifiedMs: p.lastModifiedMs }));
  }
}

export class FakeSqs implements SqsPort {
  readonly depth = new Map<string, number>();
  async sendMessage(): Promise<{ messageId: string }> {
    return Promise.reject(new Error('not used'));
  }
  async receiveMessages(): Promise<never[]> {
    return [];
  }
  async deleteMessage(): Promise<void> {}
  async getQueueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
    return { visible: this.depth.get(queueUrl) ?? 0, inFlight: 0, delayed: 0 };
  }
}
