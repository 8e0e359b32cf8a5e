/**
 * Reading EC2 Query parameters (form-encoded, flattened lists: `Filter.1.Value.2=…`) and writing the
 * instance XML the SDK's ec2Query deserializer reads (EC2 API reference, DescribeInstances response).
 */
import type { FleetInstance, InstanceState } from '../../../ports/index.js';
import { AwsWireError } from './http.js';
import { el, items, text, type Xml } from './xml.js';

export type Params = ReadonlyMap<string, string>;

export function parseForm(body: string): Params {
  return new Map(new URLSearchParams(body));
}

/** The indices N present under `prefix.N` or `prefix.N.*`, ascending. */
export function indices(params: Params, prefix: string): number[] {
  const found = new Set<number>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)(?:\\.|$)`);
  for (const key of params.keys()) {
    const match = pattern.exec(key);
    if (match) found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** The values of a flattened scalar list `prefix.1`, `prefix.2`, … */
export function list(params: Params, prefix: string): string[] {
  return indices(params, prefix).flatMap((n) => {
    const value = params.get(`${prefix}.${n}`);
    return value === undefined ? [] : [value];
  });
}

export function required(params: Params, key: string): string {
  const value = params.get(key);
  if (value === undefined || value === '')
    throw invalid(`The request must contain the parameter ${key}`, 'MissingParameter');
  return value;
}

export function integer(params: Params, key: string): number | undefined {
  const value = params.get(key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw invalid(`Value (${value}) for parameter ${key} is invalid`);
  return n;
}

export function invalid(message: string, code = 'InvalidParameterValue'): AwsWireError {
  return new AwsWireError(code, 400, message);
}

/** `Tag.N.Key` / `Tag.N.Value` under a prefix, as a record. */
export function tagsAt(params: Params, prefix: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const n of indices(params, prefix)) {
    const key = params.get(`${prefix}.${n}.Key`);
    if (key !== undefined) tags[key] = params.get(`${prefix}.${n}.Value`) ?? '';
  }
  return tags;
}

export interface QueryFilter {
  readonly name: string;
  readonly values: readonly string[];
}

const FILTER_NAMES = new Set(['instance-state-name', 'instance-id', 'tag-key']);

/** The request's filters; names the facade does not know are refused, as EC2 refuses unknown names. */
export function filters(params: Params): QueryFilter[] {
  return indices(params, 'Filter').map((n) => {
    const name = required(params, `Filter.${n}.Name`);
    if (!FILTER_NAMES.has(name) && !name.startsWith('tag:')) throw invalid(`The filter '${name}' is invalid`);
    return { name, values: list(params, `Filter.${n}.Value`) };
  });
}

/** EC2 semantics: values of one filter are ORed, filters are ANDed. */
export function matchesFilters(instance: FleetInstance, all: readonly QueryFilter[]): boolean {
  return all.every(({ name, values }) => {
    if (name === 'instance-state-name') return values.includes(instance.state);
    if (name === 'instance-id') return values.includes(instance.instanceId);
    if (name === 'tag-key') return values.some((key) => Object.hasOwn(instance.tags, key));
    if (name.startsWith('tag:')) {
      const value = instance.tags[name.slice(4)];
      return value !== undefined && values.includes(value);
    }
    return false;
  });
}

/** EC2 instance state codes (EC2 API reference, InstanceState). */
const STATE_CODES: Record<InstanceState, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function stateXml(name: string, state: InstanceState): Xml {
  return el(name, text('code', STATE_CODES[state]), text('name', state));
}

export function instanceXml(instance: FleetInstance): Xml {
  return [
    text('instanceId', instance.instanceId),
    text('instanceType', instance.instanceType),
    stateXml('instanceState', instance.state),
    text('launchTime', new Date(instance.launchTimeMs).toISOString()),
    // Absent for on-demand instances, like EC2.
    instance.lifecycle === 'spot' ? text('instanceLifecycle', 'spot') : '',
    items('tagSet', Object.entries(instance.tags), ([key, value]) => text('key', key) + text('value', value)),
  ].join('');
}

/** One reservation per instance: the SDK's callers flatten reservations anyway. */
export function reservationXml(instance: FleetInstance): Xml {
  return [
    text('reservationId', `r-${instance.instanceId.slice(2)}`),
    text('ownerId', '123456789012'),
    el('groupSet'),
    items('instancesSet', [instance], instanceXml),
  ].join('');
}
