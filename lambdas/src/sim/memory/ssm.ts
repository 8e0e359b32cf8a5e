/** A deterministic in-memory SsmPort: versions count from 1 per name, LastModifiedDate from the clock. */
import { AlreadyExistsError, NotFoundError, PermanentError } from '../../errors.js';
import type { Clock, Parameter, ParameterInfo, PutParameterRequest, SsmPort } from '../../ports/index.js';

interface StoredParameter extends Parameter {
  readonly type: PutParameterRequest['type'];
  readonly tags: Readonly<Record<string, string>>;
}

export class InMemorySsm implements SsmPort {
  private readonly parameters = new Map<string, StoredParameter>();

  constructor(private readonly clock: Clock) {}

  private view(stored: StoredParameter): Parameter {
    return { name: stored.name, value: stored.value, version: stored.version, lastModifiedMs: stored.lastModifiedMs };
  }

  async getParameter(name: string): Promise<Parameter> {
    const stored = this.parameters.get(name);
    if (stored === undefined) throw new NotFoundError(`Parameter ${name} not found`);
    return this.view(stored);
  }

  async getParameters(names: readonly string[]): Promise<Parameter[]> {
    return [...new Set(names)].flatMap((name) => {
      const stored = this.parameters.get(name);
      return stored === undefined ? [] : [this.view(stored)];
    });
  }

  async putParameter(request: PutParameterRequest): Promise<{ version: number }> {
    const existing = this.parameters.get(request.name);
    if (request.tags !== undefined && Object.keys(request.tags).length > 0 && request.overwrite) {
      throw new PermanentError(`Parameter ${request.name}: tags need overwrite false`);
    }
    if (existing !== undefined && !request.overwrite) {
      // SSM answers ParameterAlreadyExists: the scale-down lease relies on it (architecture.md).
      throw new AlreadyExistsError(`Parameter ${request.name} already exists`);
    }
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(request.name, {
      name: request.name,
      value: request.value,
      type: request.type,
      version,
      lastModifiedMs: this.clock.now(),
      tags: { ...(existing?.tags ?? {}), ...(request.tags ?? {}) },
    });
    return { version };
  }

  async deleteParameter(name: string): Promise<void> {
    if (!this.parameters.delete(name)) throw new NotFoundError(`Parameter ${name} not found`);
  }

  /** Every parameter below `path` at any depth, sorted by name (SSM's order is unspecified). */
  async listParameters(path: string): Promise<ParameterInfo[]> {
    if (!path.startsWith('/')) throw new PermanentError(`Path ${path} must start with /`);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.values()]
      .filter((p) => p.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => ({ name: p.name, lastModifiedMs: p.lastModifiedMs }));
  }

  /** The tags of a parameter (what an IAM condition on `ssm:ResourceTag` reads); undefined when absent. */
  tagsOf(name: string): Readonly<Record<string, string>> | undefined {
    return this.parameters.get(name)?.tags;
  }
}
