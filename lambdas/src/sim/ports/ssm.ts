import type { Parameter, ParameterInfo, PutParameterRequest, SsmPort } from '../../ports/ssm.js';
import type { World } from '../world/world.js';
import { gated, openGate, type CallGate } from './gate.js';

export class InProcessSsm implements SsmPort {
  constructor(
    private readonly world: World,
    private readonly gate: CallGate = openGate,
  ) {}

  private call<T>(action: string, run: () => T): Promise<T> {
    return gated(
      this.gate,
      `ssm.${action}`,
      () => {
        this.world.counters.awsCall(`ssm:${action}`);
        return run();
      },
      this.world.latency('aws'),
    );
  }

  getParameter(name: string): Promise<Parameter> {
    return this.call('GetParameter', () => this.world.ssm.get(name));
  }

  getParameters(names: readonly string[]): Promise<Parameter[]> {
    return this.call('GetParameters', () => this.world.ssm.getMany(names));
  }

  putParameter(request: PutParameterRequest): Promise<{ version: number }> {
    return this.call('PutParameter', () => this.world.ssm.put(request));
  }

  deleteParameter(name: string): Promise<void> {
    return this.call('DeleteParameter', () => this.world.ssm.delete(name));
  }

  listParameters(path: string): Promise<ParameterInfo[]> {
    return this.call('GetParametersByPath', () => this.world.ssm.list(path));
  }
}
