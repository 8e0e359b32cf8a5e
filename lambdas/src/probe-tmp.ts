import { resolveStrategy, runSimulation } from './sim/run.js';
import { builtinScenarioNames, loadScenario } from './sim/scenarios/load.js';
import { adversarial, withRegistrations, type RegistrationVariant } from './sim/scenarios/variants.js';

export async function main(argv: string[]): Promise<number> {
  const [variant, strategy, death, latency, seeds] = argv;
  for (const name of builtinScenarioNames()) {
    let killed = 0, leaked = 0, submitted = 0;
    const marked: number[] = [];
    const t = Date.now();
    for (let seed = 1; seed <= Number(seeds ?? 2); seed++) {
      const scenario = adversarial(withRegistrations(loadScenario(name), variant as RegistrationVariant), {
        agentDeathChance: Number(death), latencySeconds: Number(latency), errorRate: Number(process.env.ER ?? 0.1), propagationSeconds: 60 });
      const r = await runSimulation({ scenario, strategy: resolveStrategy(strategy!), seed, hours: 10 });
      killed += r.accounting.jobsKilled; leaked += r.accounting.instancesLeaked; submitted += r.accounting.jobsSubmitted;
      marked.push(...Object.values(r.accounting.retirementSecondsByPool).map((x) => x.afterQuarantine));
    }
    console.log(name, { killed, leaked, submitted, maxMarked: Math.max(0, ...marked), ms: Date.now() - t });
  }
  return 0;
}
