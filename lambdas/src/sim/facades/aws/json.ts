/**
 * Shared part of the AWS JSON facades (SSM: JSON 1.1, SQS: JSON 1.0): the action comes from
 * `X-Amz-Target: <Service>.<Action>`, bodies are JSON parsed with zod, errors are `{__type, message}`.
 */
import type { z } from 'zod';
import { AwsHttpFacade, AwsWireError, type FacadeRequest, type FacadeResponse } from './http.js';

export abstract class JsonFacade extends AwsHttpFacade {
  protected abstract readonly targetPrefix: string;
  protected abstract readonly contentType: string;

  protected actionOf(request: FacadeRequest): string {
    const target = request.headers['x-amz-target'];
    const value = Array.isArray(target) ? target[0] : target;
    if (value === undefined || !value.startsWith(`${this.targetPrefix}.`)) return 'Unknown';
    return value.slice(this.targetPrefix.length + 1);
  }

  protected ok(body: unknown): FacadeResponse {
    return { status: 200, headers: { 'content-type': this.contentType }, body: JSON.stringify(body) };
  }

  /** Parses the request body with the action's schema; a mismatch is a ValidationException. */
  protected input<T extends z.ZodType>(schema: T, request: FacadeRequest): z.infer<T> {
    let raw: unknown;
    try {
      raw = request.body === '' ? {} : JSON.parse(request.body);
    } catch {
      throw new AwsWireError('SerializationException', 400, 'Request body is not valid JSON');
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
      throw new AwsWireError('ValidationException', 400, `Invalid request fields: ${fields}`);
    }
    return parsed.data;
  }

  protected unknownAction(action: string): never {
    throw new AwsWireError('UnknownOperationException', 400, `Unknown operation ${action}`);
  }
}
