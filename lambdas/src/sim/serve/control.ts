import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

/** An answer of the control API: always JSON. */
export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

export class BadRequest extends Error {}

const MAX_BODY_BYTES = 65_536;
/** One advance is at most a virtual week: a typo should not run the world for a year. */
export const MAX_ADVANCE_SECONDS = 7 * 24 * 3600;

export const advanceSchema = z.object({ seconds: z.number().positive().max(MAX_ADVANCE_SECONDS) }).strict();
export const resetSchema = z.object({ seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() }).strict();

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body against `schema`; an empty body is `{}`. Any failure is a 400 with a message. */
export function parseJson<T>(text: string, schema: z.ZodType<T>): T {
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new BadRequest(`body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new BadRequest(issues.join('; '));
  }
  return parsed.data;
}

export function send(res: ServerResponse, answer: ControlAnswer): void {
  const body = `${JSON.stringify(answer.body, null, 2)}\n`;
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function errorAnswer(error: unknown): ControlAnswer {
  if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
  return { status: 500, body: { error: error instanceof Error ? error.message : String(error) } };
}
