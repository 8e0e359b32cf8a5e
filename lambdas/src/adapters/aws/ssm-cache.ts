/**
 * A read cache in front of an SsmPort: the GitHub App credentials are read on every invocation of
 * warm Lambdas, and SSM's GetParameter throughput is limited per account (SSM quotas). Reads are
 * cached for `ttlMs` on the injected clock; writes and deletes through this port drop the cached
 * entries they touch. Failed reads are not cached. Concurrent reads of one key share a request.
 * Listings pass through: housekeeping must see what is there now.
 */
import type { Clock, Parameter, PutParameterRequest, SsmPort } from '../../ports/index.js';

interface Entry<T> {
  readonly expiresAtMs: number;
  readonly value: Promise<T>;
}

export function cachedSsm(ssm: SsmPort, clock: Clock, ttlMs: number): SsmPort {
  const byName = new Map<string, Entry<Parameter>>();

  function read<T>(cache: Map<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = clock.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.expiresAtMs > now) return hit.value;
    const value = load();
    const entry = { expiresAtMs: now + ttlMs, value };
    cache.set(key, entry);
    value.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return value;
  }

  function forget(name: string): void {
    byName.delete(name);
  }

  return {
    getParameter: (name) => read(byName, name, () => ssm.getParameter(name)),

    async getParameters(names) {
      const now = clock.now();
      const missing = names.filter((name) => {
        const hit = byName.get(name);
        return hit === undefined || hit.expiresAtMs <= now;
      });
      const fetched = missing.length === 0 ? [] : await ssm.getParameters(missing);
      for (const parameter of fetched) {
        byName.set(parameter.name, { expiresAtMs: now + ttlMs, value: Promise.resolve(parameter) });
      }
      const found: Parameter[] = [];
      for (const name of new Set(names)) {
        const hit = byName.get(name);
        if (hit === undefined) continue;
        const parameter = await hit.value.catch(() => undefined);
        if (parameter !== undefined) found.push(parameter);
      }
      return found;
    },

    async putParameter(request: PutParameterRequest) {
      try {
        return await ssm.putParameter(request);
      } finally {
        forget(request.name);
      }
    },

    async deleteParameter(name) {
      try {
        await ssm.deleteParameter(name);
      } finally {
        forget(name);
      }
    },

    listParameters: (path) => ssm.listParameters(path),
  };
}
