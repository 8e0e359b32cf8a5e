import { faultClass } from './sim/faults/catalog.js';
import { buildWorld } from './sim/build.js';
import { runToEnd } from './sim/run.js';
import { resolveStrategy } from './sim/control-plane/strategies.js';
export async function main(argv: string[]) {
  const spec = faultClass(argv[0]!);
  for (const seed of argv.slice(1).map(Number)) {
    const sim = await buildWorld(spec.scenario, { seed, strategy: resolveStrategy('quarantine'), keepLog: true });
    await runToEnd(sim);
    const w = sim.world;
    for (const h of w.hosts.hosts.values()) {
      const live = h.instance.state === 'running' || h.instance.state === 'pending';
      if (!live || h.job || h.offlineSinceMs === undefined) continue;
      const off = w.now - h.offlineSinceMs;
      const bound = (8 + 10) * 60_000 + (!h.agent.alive ? 2 * h.pool.config.maxJobDurationMinutes * 60_000 : 0);
      if (off > bound) {
        console.log('LEAK seed', seed, h.instance.id, 'offline s', off / 1000, 'agentAlive', h.agent.alive, 'tags', JSON.stringify(w.ec2.readTags(h.instance)));
        for (const l of w.eventLog.all()) if (l.includes(h.instance.id)) console.log('  ', l.slice(0, 180));
        for (const l of w.lambda.record('scale-down')!.lines) if (l.includes(h.instance.id)) console.log('  SD', l.slice(0, 220));
      }
    }
  }
  return 0;
}
