/**
 * Runner names. Scale-up names a runner after its instance (as upstream does), so the webhook finds
 * the instance of a job's `runner_name` without a lookup table. A registration prepared while the
 * instance's current runner still runs its job (scale-up/recycle.ts) cannot take the same name —
 * GitHub refuses a second runner of one name ("A runner exists with the same name") — so it is
 * `<instance-id>-<id of the registration it follows>`: unique, since runner ids are.
 */
const RUNNER_NAME = /^(i-[0-9a-f]{8,17})(?:-\d{1,16})?$/;

/** The instance a runner name of ours stands for; undefined for any other name. */
export function instanceIdOfRunnerName(name: string | null | undefined): string | undefined {
  if (name === null || name === undefined) return undefined;
  return RUNNER_NAME.exec(name)?.[1];
}

/** The name of a registration prepared ahead, to follow `followsRunnerId` on `instanceId`. */
export function preparedRunnerName(instanceId: string, followsRunnerId: number): string {
  return `${instanceId}-${followsRunnerId}`;
}
