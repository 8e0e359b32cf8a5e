// Test order for `npm run test:mutation` (stryker.config.mjs): the quick suites first and the
// interleaving explorer last, so a mutant a unit test kills costs no exploration (jest stops at the
// first failing file). Only the order changes; every suite still runs for a surviving mutant.
import Sequencer from '@jest/test-sequencer';

export default class ExplorerLast extends Sequencer {
  sort(tests) {
    const last = (t) => (/explorer\.test\.ts$/.test(t.path) ? 1 : 0);
    return [...tests].sort((a, b) => last(a) - last(b) || a.path.localeCompare(b.path));
  }
}
