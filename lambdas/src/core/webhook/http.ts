/**
 * The HTTP edge of the webhook: the Lambda function-URL / HTTP API v2 event in, a status out.
 * Checks that need no secret and no parsing come first, so oversized or mistyped requests
 * cost nothing (GitHub docs, "Best practices for using webhooks").
 */

/** The part of an API Gateway v2 / function-URL event the webhook reads (structurally `APIGatewayProxyEventV2`). */
export interface WebhookHttpEvent {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/**
 * Whatever the invocation carries, as the event the webhook reads: anything but an object (`null`,
 * a string, an array) is an event with no body, so it is answered 400 like any other bad request,
 * never with a runtime error (issue 14: the function is internet-facing).
 */
export function asHttpEvent(event: unknown): WebhookHttpEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return {};
  const { headers, body, isBase64Encoded } = event as Record<string, unknown>;
  return {
    ...(typeof headers === 'object' && headers !== null && !Array.isArray(headers)
      ? { headers: headers as Record<string, string | undefined> }
      : {}),
    ...(typeof body === 'string' ? { body } : {}),
    ...(isBase64Encoded === true ? { isBase64Encoded: true } : {}),
  };
}

export interface WebhookHttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type RejectReason =
  | 'missing_body'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'missing_signature'
  | 'bad_signature'
  | 'malformed_json'
  | 'missing_event'
  | 'malformed_payload';

const STATUS: Record<RejectReason, number> = {
  missing_body: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  missing_signature: 401,
  bad_signature: 401,
  malformed_json: 400,
  missing_event: 400,
  malformed_payload: 400,
};

export function respond(statusCode: number, message: string): WebhookHttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) };
}

export function reject(reason: RejectReason): WebhookHttpResult {
  return respond(STATUS[reason], reason);
}

/** Header lookup by lower-cased name: function URLs lower-case names, other front doors may not. */
export function header(event: WebhookHttpEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * `application/json`, parameters (charset) allowed. GitHub sends `application/x-www-form-urlencoded`
 * when the App's webhook is configured for form content; that payload is refused (the
 * module documents JSON as the required content type).
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const media = value.split(';')[0]?.trim().toLowerCase();
  return media === 'application/json';
}

/**
 * The raw body bytes, or why there are none. Size is checked on the encoded form first (a
 * base64 body decodes to at most 3/4 of its length), so a huge body is never decoded.
 */
export function rawBody(
  event: WebhookHttpEvent,
  maxBodyBytes: number,
): { ok: true; bytes: Buffer } | { ok: false; reason: 'missing_body' | 'body_too_large' } {
  const body = event.body;
  if (typeof body !== 'string' || body.length === 0) return { ok: false, reason: 'missing_body' };
  if (event.isBase64Encoded === true) {
    if (Math.floor((body.length * 3) / 4) > maxBodyBytes + 3) return { ok: false, reason: 'body_too_large' };
    const bytes = Buffer.from(body, 'base64');
    if (bytes.length === 0) return { ok: false, reason: 'missing_body' };
    return bytes.length > maxBodyBytes ? { ok: false, reason: 'body_too_large' } : { ok: true, bytes };
  }
  // Every UTF-16 code unit encodes to at least one UTF-8 byte: a string longer than the limit is too large in bytes too.
  if (body.length > maxBodyBytes) return { ok: false, reason: 'body_too_large' };
  const bytes = Buffer.from(body, 'utf8');
  return bytes.length > maxBodyBytes ? { ok: false, reason: 'body_too_large' } : { ok: true, bytes };
}
