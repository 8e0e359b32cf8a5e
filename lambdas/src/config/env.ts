/**
 * The one door between the process environment and the code. Terraform renders the whole
 * configuration as JSON into one variable; nothing else reads `process.env`
 * (an ESLint rule enforces it).
 */
export const CONFIG_VARIABLE = 'FLEET_CONFIG';

export function readConfigVariable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[CONFIG_VARIABLE];
}
