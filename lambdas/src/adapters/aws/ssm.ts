/**
 * SsmPort over AWS SDK v3. Reads of values ask for decryption (the values are SecureStrings);
 * listings never do. Error messages name the parameter but never carry its value, nor SSM's own
 * message.
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  type Parameter as SdkParameter,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { Parameter, ParameterInfo, PutParameterRequest, SsmPort } from '../../ports/index.js';
import { PermanentError } from '../../errors.js';
import { chunk } from './batch.js';
import { awsCall, type AwsCallContext } from './errors.js';

/** GetParameters accepts at most 10 names per call (SSM API reference). */
export const GET_PARAMETERS_CHUNK = 10;

function context(operation: string, subject?: string): AwsCallContext {
  return { service: 'SSM', operation, subject, includeServerMessage: false };
}

export function toParameter(raw: SdkParameter): Parameter | undefined {
  if (raw.Name === undefined || raw.Value === undefined) return undefined;
  return {
    name: raw.Name,
    value: raw.Value,
    version: raw.Version ?? 0,
    lastModifiedMs: raw.LastModifiedDate?.getTime() ?? 0,
  };
}

function present(raws: readonly SdkParameter[] | undefined): Parameter[] {
  return (raws ?? []).flatMap((raw) => {
    const parameter = toParameter(raw);
    return parameter === undefined ? [] : [parameter];
  });
}

export class SdkSsm implements SsmPort {
  constructor(private readonly client: SSMClient) {}

  async getParameter(name: string): Promise<Parameter> {
    const response = await awsCall(context('GetParameter', name), () =>
      this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
    );
    const parameter = response.Parameter === undefined ? undefined : toParameter(response.Parameter);
    if (parameter === undefined) throw new PermanentError(`SSM GetParameter ${name} returned no value`);
    return parameter;
  }

  async getParameters(names: readonly string[]): Promise<Parameter[]> {
    const found: Parameter[] = [];
    for (const batch of chunk([...new Set(names)], GET_PARAMETERS_CHUNK)) {
      const response = await awsCall(context('GetParameters', batch[0]), () =>
        this.client.send(new GetParametersCommand({ Names: batch, WithDecryption: true })),
      );
      found.push(...present(response.Parameters));
    }
    return found;
  }

  async putParameter(request: PutParameterRequest): Promise<{ version: number }> {
    const tags = Object.entries(request.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    if (tags.length > 0 && request.overwrite) {
      // SSM answers ValidationException for this pair; say it before the call, with the fix.
      throw new PermanentError(
        `SSM PutParameter ${request.name}: tags need overwrite false (SSM tags new parameters only)`,
      );
    }
    const response = await awsCall(context('PutParameter', request.name), () =>
      this.client.send(
        new PutParameterCommand({
          Name: request.name,
          Value: request.value,
          Type: request.type,
          Overwrite: request.overwrite,
          Description: request.description,
          ...(tags.length > 0 ? { Tags: tags } : {}),
        }),
      ),
    );
    return { version: response.Version ?? 0 };
  }

  async deleteParameter(name: string): Promise<void> {
    await awsCall(context('DeleteParameter', name), () => this.client.send(new DeleteParameterCommand({ Name: name })));
  }

  async listParameters(path: string): Promise<ParameterInfo[]> {
    const found: ParameterInfo[] = [];
    let nextToken: string | undefined;
    do {
      // WithDecryption false: a SecureString comes back as ciphertext, which is dropped here.
      const page = await awsCall(context('GetParametersByPath', path), () =>
        this.client.send(
          new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: false, NextToken: nextToken }),
        ),
      );
      for (const raw of page.Parameters ?? []) {
        if (raw.Name !== undefined)
          found.push({ name: raw.Name, lastModifiedMs: raw.LastModifiedDate?.getTime() ?? 0 });
      }
      nextToken = page.NextToken === '' ? undefined : page.NextToken;
    } while (nextToken !== undefined);
    return found;
  }
}

export function createSsmPort(client: SSMClient): SsmPort {
  return new SdkSsm(client);
}
