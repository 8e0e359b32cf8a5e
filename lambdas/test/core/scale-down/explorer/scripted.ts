import type fc from 'fast-check';
import type { TaskScheduler } from './world.js';

/**
 * A scheduler that plays one order on purpose: the labels of `script` are released in that order,
 * each as soon as it is pending; meanwhile the runs go first (their calls, oldest first), and the
 * world's other events only when no run can move (or when their bound forces them). For regression
 * tests of orders the explorer found.
 */
export class ScriptedScheduler implements TaskScheduler {
  private readonly tasks: { readonly label: string; readonly release: () => Promise<void> }[] = [];
  private played = 0;

  constructor(private readonly script: readonly string[]) {}

  /** True once every label of the script was released. */
  get finished(): boolean {
    return this.played === this.script.length;
  }

  schedule<T>(task: Promise<T>, label = '', _metadata?: unknown, customAct?: fc.SchedulerAct): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const act = customAct ?? ((release: () => Promise<void>) => release());
      this.tasks.push({ label, release: () => act(() => task.then(resolve, reject).then(() => undefined)) });
    });
  }

  count(): number {
    return this.tasks.length;
  }

  async waitOne(): Promise<void> {
    const wanted = this.script[this.played];
    let index = wanted === undefined ? -1 : this.tasks.findIndex((task) => task.label === wanted);
    if (index >= 0) this.played += 1;
    else
      index = Math.max(
        0,
        this.tasks.findIndex((task) => /^R\d /.test(task.label)),
      );
    const [task] = this.tasks.splice(index, 1);
    await task?.release();
  }
}
