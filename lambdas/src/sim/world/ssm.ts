import { AlreadyExistsError, NotFoundError } from '../../errors.js';
import type { Parameter, PutParameterRequest } from '../../ports/ssm.js';
import type { WorldContext } from './context.js';

/** SSM Parameter Store: PutParameter without overwrite fails on an existing name (the lease). */
export class SsmWorld {
  readonly parameters = new Map<string, Parameter>();

  constructor(private readonly ctx: WorldContext) {}

  get(name: string): Parameter {
    const parameter = this.parameters.get(name);
    if (!parameter) throw new NotFoundError(`parameter ${name} not found`);
    return parameter;
  }

  getMany(names: readonly string[]): Parameter[] {
    return names.flatMap((name) => {
      const parameter = this.parameters.get(name);
      return parameter ? [parameter] : [];
    });
  }

  put(request: PutParameterRequest): { version: number } {
    const existing = this.parameters.get(request.name);
    if (existing && !request.overwrite) throw new AlreadyExistsError(`parameter ${request.name} exists`);
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(request.name, {
      name: request.name,
      value: request.value,
      version,
      lastModifiedMs: this.ctx.now,
    });
    this.ctx.record('ssm.put', { name: request.name, version });
    return { version };
  }

  delete(name: string): void {
    if (!this.parameters.delete(name)) throw new NotFoundError(`parameter ${name} not found`);
    this.ctx.record('ssm.delete', { name });
  }

  byPath(path: string): Parameter[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.values()]
      .filter((p) => p.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
