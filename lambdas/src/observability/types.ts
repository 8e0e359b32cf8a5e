/**
 * What core code needs of logging and metrics. Powertools' Logger satisfies `Log`
 * structurally; the simulator passes its own. Messages are constant; details go in attributes.
 */
export interface Log {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface Metrics {
  /** Adds `value` to the count `name` (unit Count), published once per invocation. */
  count(name: string, value?: number): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
export const noMetrics: Metrics = { count() {} };
