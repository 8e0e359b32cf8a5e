import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who is calling a facade: one of the simulator's doors (our handlers, whose waits park on virtual
 * time) or an external caller (`npm start -- --serve`), whose call latency must pass without
 * anyone else moving the clock. The doors' transports (sim/http/quiescence.ts) mark their
 * requests with this header. Not a security boundary: a caller that sends it is treated as a door.
 */
export const DOOR_CALLER_HEADER = 'x-ghr-sim-door';

const answering = new AsyncLocalStorage<boolean>();

/** Runs a facade's answer to one request, remembering whether a door sent it. */
export function answeringRequest<T>(headers: IncomingHttpHeaders, answer: () => T): T {
  return answering.run(headers[DOOR_CALLER_HEADER] !== undefined, answer);
}

/** Whether the facade request being answered came from a door; undefined outside any facade request. */
export function answeringDoorRequest(): boolean | undefined {
  return answering.getStore();
}
