/**
 * Captures what Powertools writes (it prints JSON lines to stdout/stderr through its own
 * Console), so tests can read log lines as the Lambda runtime would ship them.
 */
export async function captureOutput<T>(
  act: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; lines: string[] }> {
  const chunks: string[] = [];
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    const result = await act();
    return { result, lines: chunks.join('').split('\n').filter(Boolean) };
  } catch (error) {
    return { error, lines: chunks.join('').split('\n').filter(Boolean) };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
}

export function lambdaContext(requestId = 'req-1') {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'ghr-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-fn',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/ghr-test-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
