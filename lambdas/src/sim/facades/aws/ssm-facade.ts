/**
 * SSM facade: AWS JSON 1.1 (`X-Amz-Target: AmazonSSM.GetParameter`, content type
 * `application/x-amz-json-1.1`) over any SsmPort backend. Errors are `{"__type": "ParameterNotFound"}`
 * with status 400, as SSM answers. Error messages never carry parameter values.
 */
import { z } from 'zod';
import type { Parameter, SsmPort } from '../../../ports/index.js';
import { AwsWireError, toWireError, type FacadeOptions, type FacadeRequest, type FacadeResponse } from './http.js';
import { JsonFacade } from './json.js';

const WIRE = {
  notFound: ['ParameterNotFound', 400],
  alreadyExists: ['ParameterAlreadyExists', 400],
  rateLimited: ['ThrottlingException', 400],
  capacity: ['InternalServerError', 500],
  transient: ['InternalServerError', 500],
  invalid: ['ValidationException', 400],
} as const;

const name = z.string().min(1).max(2048);
const GetParameter = z.object({ Name: name, WithDecryption: z.boolean().optional() });
const GetParameters = z.object({ Names: z.array(name).min(1).max(10), WithDecryption: z.boolean().optional() });
const PutParameter = z.object({
  Name: name,
  Value: z.string(),
  Type: z.enum(['String', 'StringList', 'SecureString']).optional(),
  Overwrite: z.boolean().optional(),
  Description: z.string().optional(),
  Tags: z.array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) })).optional(),
});
const DeleteParameter = z.object({ Name: name });
const GetParametersByPath = z.object({
  Path: z.string().startsWith('/'),
  Recursive: z.boolean().optional(),
  WithDecryption: z.boolean().optional(),
  MaxResults: z.number().int().min(1).max(10).optional(),
  NextToken: z.string().optional(),
});

/** What SSM returns for a SecureString read without decryption: ciphertext, never the value. */
const CIPHERTEXT = 'AQICAHsimulatedciphertext==';

function wire(p: Parameter) {
  return {
    Name: p.name,
    Type: 'SecureString',
    Value: p.value,
    Version: p.version,
    // JSON protocols carry timestamps as epoch seconds.
    LastModifiedDate: p.lastModifiedMs / 1000,
    ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`,
    DataType: 'text',
  };
}

export class SsmFacade extends JsonFacade {
  protected readonly targetPrefix = 'AmazonSSM';
  protected readonly contentType = 'application/x-amz-json-1.1';

  constructor(
    private readonly backend: SsmPort,
    options: FacadeOptions = {},
  ) {
    super(options);
  }

  protected toWire(error: unknown): AwsWireError {
    return toWireError(error, WIRE);
  }

  protected errorResponse(error: AwsWireError): FacadeResponse {
    return {
      status: error.status,
      headers: { 'content-type': this.contentType },
      body: JSON.stringify({ __type: error.code, message: error.message }),
    };
  }

  protected async handle(action: string, request: FacadeRequest): Promise<FacadeResponse> {
    switch (action) {
      case 'GetParameter': {
        const { Name } = this.input(GetParameter, request);
        return this.ok({ Parameter: wire(await this.backend.getParameter(Name)) });
      }
      case 'GetParameters': {
        const { Names } = this.input(GetParameters, request);
        const found = await this.backend.getParameters(Names);
        const invalid = Names.filter((n) => !found.some((p) => p.name === n));
        return this.ok({ Parameters: found.map(wire), InvalidParameters: invalid });
      }
      case 'PutParameter': {
        const input = this.input(PutParameter, request);
        const { version } = await this.backend.putParameter({
          name: input.Name,
          value: input.Value,
          type: input.Type === 'SecureString' ? 'SecureString' : 'String',
          overwrite: input.Overwrite ?? false,
          description: input.Description,
          ...(input.Tags === undefined ? {} : { tags: Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])) }),
        });
        return this.ok({ Version: version, Tier: 'Standard' });
      }
      case 'DeleteParameter': {
        await this.backend.deleteParameter(this.input(DeleteParameter, request).Name);
        return this.ok({});
      }
      case 'GetParametersByPath':
        return this.byPath(this.input(GetParametersByPath, request));
      default:
        return this.unknownAction(action);
    }
  }

  /**
   * Pages of MaxResults (SSM's default and maximum: 10); the token is the offset. Without
   * WithDecryption a SecureString's value is ciphertext (here a fixed stand-in), as SSM answers.
   */
  private async byPath(input: z.infer<typeof GetParametersByPath>): Promise<FacadeResponse> {
    const prefix = input.Path.endsWith('/') ? input.Path : `${input.Path}/`;
    const all = (await this.backend.listParameters(input.Path)).filter(
      // Without Recursive, only the path's direct children (SSM API reference, GetParametersByPath).
      (p) => input.Recursive === true || !p.name.slice(prefix.length).includes('/'),
    );
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    if (!Number.isInteger(start) || start < 0)
      throw new AwsWireError('InvalidNextToken', 400, 'The NextToken is not valid');
    const end = start + (input.MaxResults ?? 10);
    const page = all.slice(start, end);
    const values = new Map<string, Parameter>();
    if (input.WithDecryption === true && page.length > 0) {
      for (const p of await this.backend.getParameters(page.map((q) => q.name))) values.set(p.name, p);
    }
    return this.ok({
      Parameters: page.map((p) =>
        wire(values.get(p.name) ?? { name: p.name, value: CIPHERTEXT, version: 1, lastModifiedMs: p.lastModifiedMs }),
      ),
      ...(end < all.length ? { NextToken: String(end) } : {}),
    });
  }
}
