/**
 * A decorator over any port: it records the name of every call and runs hooks before and after
 * the methods a test names. What a test needs beyond a port's double lives here, not in a second
 * implementation of the port: a crash right after a call took effect, a rate limit, an agent that
 * answers a lifecycle mark, a count of reads. The double behind it stays the one the contract
 * suite holds (intercept.test.ts runs the suites through this decorator too).
 *
 * A hook may throw (the caller sees a rejected call) or return a promise (awaited before the call
 * goes on). A hooked call is always asynchronous; calls without hooks pass straight through, so
 * `Clock.now` stays synchronous as long as nobody hooks it.
 */

/** The names of a port's methods. */
export type MethodName<P> = {
  [K in keyof P]-?: P[K] extends (...args: never[]) => unknown ? K : never;
}[keyof P] &
  string;

/** One call of one of the methods `K`: its name and its arguments, typed per method. */
export type Call<P, K extends MethodName<P> = MethodName<P>> = {
  [N in K]: {
    readonly name: N;
    readonly args: P[N] extends (...args: infer A) => unknown ? Readonly<A> : never;
  };
}[K];

export type Hook<P, K extends MethodName<P>> = (call: Call<P, K>) => void | Promise<void>;

/** Removes the hook it was returned for. */
export type Unhook = () => void;

export interface Intercepted<P> {
  /** The port to hand to the code under test. */
  readonly port: P;
  /** Every call's method name, in the order the calls were made (a call a hook refused included). */
  readonly calls: readonly MethodName<P>[];
  /** `'*'` hooks every method: only for ports whose methods all return promises (not Clock). */
  before<K extends MethodName<P>>(names: K | readonly K[] | '*', hook: Hook<P, K>): Unhook;
  /** Runs once the call succeeded (it took effect); not after a call that failed. */
  after<K extends MethodName<P>>(names: K | readonly K[] | '*', hook: Hook<P, K>): Unhook;
}

type AnyHook = (call: { name: string; args: readonly unknown[] }) => void | Promise<void>;
type Method = (...args: unknown[]) => unknown;

class Hooks {
  private readonly byName = new Map<string, AnyHook[]>();

  add(names: string | readonly string[], hook: AnyHook): Unhook {
    for (const name of typeof names === 'string' ? [names] : names) {
      this.byName.set(name, [...(this.byName.get(name) ?? []), hook]);
    }
    return () => {
      for (const [name, hooks] of this.byName)
        this.byName.set(
          name,
          hooks.filter((h) => h !== hook),
        );
    };
  }

  /** A snapshot: a hook that unhooks itself (or adds another) does not change the running call. */
  of(name: string): AnyHook[] {
    return [...(this.byName.get('*') ?? []), ...(this.byName.get(name) ?? [])];
  }
}

export function intercept<P extends object>(target: P): Intercepted<P> {
  const calls: MethodName<P>[] = [];
  const before = new Hooks();
  const after = new Hooks();
  const wrappers = new Map<string, Method>();

  const wrap = (name: string, method: Method): Method => {
    return (...args: unknown[]) => {
      calls.push(name as MethodName<P>);
      const call = { name, args };
      const hooksBefore = before.of(name);
      const hooksAfter = after.of(name);
      if (hooksBefore.length === 0 && hooksAfter.length === 0) return method.apply(target, args);
      return (async () => {
        for (const hook of hooksBefore) await hook(call);
        const result = await method.apply(target, args);
        for (const hook of hooksAfter) await hook(call);
        return result;
      })();
    };
  };

  const port = new Proxy(target, {
    get(inner, property) {
      const value: unknown = Reflect.get(inner, property, inner);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      let wrapper = wrappers.get(property);
      if (wrapper === undefined) {
        wrapper = wrap(property, value as Method);
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });

  return {
    port,
    calls,
    before: (names, hook) => before.add(names, hook as AnyHook),
    after: (names, hook) => after.add(names, hook as AnyHook),
  };
}
