/** A deterministic in-memory SsmPort: versions count from 1 per name, LastModifiedDate from the clock. */
import { AlreadyExistsError, NotFoundError, PermanentError } from '../../errors.js';
import type { Clock, Parameter, PutParameterRequest, SsmPort } from '../../ports/index.js';

interface StoredParameter extends Parameter {
  readonly type: PutParameterRequest['type'];
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
    });
    return { version };
  }

  async deleteParameter(name: string): Promise<void> {
    if (!this.parameters.delete(name)) throw new NotFoundError(`Parameter ${name} not found`);
  }

  /** Every parameter below `path` at any depth, sorted by name (SSM's order is unspecified). */
  async getParametersByPath(path: string): Promise<Parameter[]> {
    if (!path.startsWith('/')) throw new PermanentError(`Path ${path} must start with /`);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.values()]
      .filter((p) => p.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => this.view(p));
  }
}
