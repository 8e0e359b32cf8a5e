// For an autoscaler that reads the wall clock, run against `npm start -- --serve`:
//
//   GHR_SIM_CONTROL=http://127.0.0.1:8787 node --import ./scripts/sim-clock.mjs your-autoscaler.mjs
//
// Date.now(), new Date() and Date() then read the served world's virtual clock
// (GET /control/clock), which moves only on POST /control/advance: JWTs the autoscaler signs,
// timestamps it compares with launch times and tags, and its own "how long ago" all agree with
// the world. The clock is read once before the autoscaler starts, then every
// GHR_SIM_CLOCK_REFRESH_MS (default 100) of real time, and on `await globalThis.ghrSimClock.refresh()`.
// Timers (setTimeout, sleep) still run on real time: an autoscaler's waits are advances.
// performance.now() is left alone (monotonic, for measuring the autoscaler itself).

/* global fetch, setInterval */
// Both settings are read here, once, and a bad one is refused by name (a refresh period that is not a
// positive number would make setInterval fire every millisecond).
function settings(env) {
  const control = (env.GHR_SIM_CONTROL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+$/.test(control))
    throw new Error(
      `sim-clock: GHR_SIM_CONTROL must be the control API's origin, e.g. http://127.0.0.1:8787 (got "${control}")`,
    );
  const every = Number(env.GHR_SIM_CLOCK_REFRESH_MS ?? 100);
  if (!Number.isFinite(every) || every < 1)
    throw new Error(
      `sim-clock: GHR_SIM_CLOCK_REFRESH_MS must be a number of milliseconds >= 1 (got "${env.GHR_SIM_CLOCK_REFRESH_MS}")`,
    );
  return { control, every };
}
const { control, every } = settings(process.env);
let virtualNow;

async function refresh() {
  const response = await fetch(`${control}/control/clock`);
  if (!response.ok) throw new Error(`GET ${control}/control/clock answered ${response.status}`);
  const { nowMs } = await response.json();
  if (!Number.isFinite(nowMs)) throw new Error(`GET ${control}/control/clock gave no nowMs`);
  virtualNow = nowMs;
  return virtualNow;
}

try {
  await refresh();
} catch (error) {
  throw new Error(`sim-clock: cannot read the served world's clock at ${control} (is npm start -- --serve running?)`, {
    cause: error,
  });
}

const RealDate = Date;
function SimDate(...args) {
  if (!new.target) return new RealDate(virtualNow).toString(); // Date() called as a function
  return args.length === 0 ? new RealDate(virtualNow) : new RealDate(...args);
}
SimDate.prototype = RealDate.prototype;
SimDate.now = () => virtualNow;
SimDate.parse = RealDate.parse;
SimDate.UTC = RealDate.UTC;
globalThis.Date = SimDate;

setInterval(() => refresh().catch(() => {}), every).unref();
globalThis.ghrSimClock = { refresh, now: () => virtualNow };
