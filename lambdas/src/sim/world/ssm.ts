import { AlreadyExistsError, NotFoundError, PermanentError } from '../../errors.js';
import type { Parameter, ParameterInfo, PutParameterRequest } from '../../ports/ssm.js';
import type { WorldContext } from './context.js';

export interface StoredParameter extends Parameter {
  /** Tags set at creation (IAM conditions of the runner role read `ghr:instance-arn`). */
  readonly tags: Readonly<Record<string, string>>;
}

function view(p: StoredParameter): Parameter {
  return { name: p.name, value: p.value, version: p.version, lastModifiedMs: p.lastModifiedMs };
}

/** SSM Parameter Store: PutParameter without overwrite fails on an existing name (the lease). */
export class SsmWorld {
  readonly parameters = new Map<string, StoredParameter>();

  constructor(private readonly ctx: WorldContext) {}

  get(name: string): Parameter {
    const parameter = this.parameters.get(name);
    if (!parameter) throw new NotFoundError(`parameter ${name} not found`);
    return view(parameter);
  }

  getMany(names: readonly string[]): Parameter[] {
    return names.flatMap((name) => {
      const parameter = this.parameters.get(name);
      return parameter ? [view(parameter)] : [];
    });
  }

  put(request: PutParameterRequest): { version: number } {
    const existing = this.parameters.get(request.name);
    if (request.tags !== undefined && Object.keys(request.tags).length > 0 && request.overwrite) {
      throw new PermanentError(`parameter ${request.name}: tags need overwrite false`);
    }
    if (existing && !request.overwrite) throw new AlreadyExistsError(`parameter ${request.name} exists`);
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(request.name, {
      name: request.name,
      value: request.value,
      version,
      lastModifiedMs: this.ctx.now,
      tags: { ...(existing?.tags ?? {}), ...(request.tags ?? {}) },
    });
    this.ctx.record('ssm.put', { name: request.name, version });
    return { version };
  }

  delete(name: string): void {
    if (!this.parameters.delete(name)) throw new NotFoundError(`parameter ${name} not found`);
    this.ctx.record('ssm.delete', { name });
  }

  list(path: string): ParameterInfo[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.values()]
      .filter((p) => p.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((p) => ({ name: p.name, lastModifiedMs: p.lastModifiedMs }));
  }
}
