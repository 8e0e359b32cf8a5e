import { TAG, decodeLifecycle, encodeAgentState } from '../../core/tags.js';
import type { Clock, Ec2Port } from '../../ports/index.js';

/**
 * An Ec2Port that answers for each instance's runner agent: when scale-down writes a
 * `ghr:lifecycle` mark, the agent of an idle runner acknowledges it by writing
 * `ghr:agent-state` = `idle@<now>/ack:<markMs>` (architecture.md §3 step 4; the real agent does
 * this from its own tags through IMDS). Without it the protocol waits for an acknowledgement
 * that never comes, and the scale run would retire nothing.
 */
export function withAgentAcks(backend: Ec2Port, clock: Clock): Ec2Port {
  return {
    listInstances: (filter) => backend.listInstances(filter),
    createTags: async (ids, tags) => {
      await backend.createTags(ids, tags);
      const lifecycle = decodeLifecycle(tags[TAG.lifecycle]);
      if (lifecycle === undefined) return;
      const ack = encodeAgentState({ state: 'idle', atMs: clock.now(), ackMarkMs: lifecycle.markMs });
      await backend.createTags(ids, { [TAG.agentState]: ack });
    },
    deleteTags: (ids, keys) => backend.deleteTags(ids, keys),
    terminateInstances: (ids) => backend.terminateInstances(ids),
    createFleet: (request) => backend.createFleet(request),
  };
}
