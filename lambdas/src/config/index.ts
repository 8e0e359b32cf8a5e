export { CONFIG_VARIABLE, readConfigVariable } from './env.js';
export { parseConfig } from './parse.js';
export * from './schema.js';
