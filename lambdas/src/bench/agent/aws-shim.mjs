#!/usr/bin/env node
/**
 * Test helper, used when no AWS CLI is installed: a stand-in for `aws` that knows exactly the calls
 * ghr-agent.sh makes and sends them, on the real wire protocols, to the simulator's facades:
 *   ec2 create-tags --resources <id> --tags Key=<k>,Value=<v>        EC2 Query (form, XML answer)
 *   ssm get-parameter --name <n> --with-decryption --query Parameter.Value --output text   JSON 1.1
 *   ssm delete-parameter --name <n>                                   JSON 1.1
 *   sqs send-message --queue-url <q> --message-body <b> --delay-seconds <n>   JSON 1.0
 *   s3 cp --only-show-errors --region <r> s3://<bucket>/<key> <file>    (user data) S3 REST, path style
 * Endpoints: GHR_TEST_EC2_URL, GHR_TEST_SSM_URL, GHR_TEST_SQS_URL, GHR_TEST_S3_URL. Errors are printed like the CLI
 * prints them ("An error occurred (<Code>) when calling the <Op> operation: ...") with status 254.
 */
/* global fetch */
import { URLSearchParams } from 'node:url';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
// Positional words (service, command): everything that is neither an option nor an option's value.
const flags = new Set(['--with-decryption', '--only-show-errors']);
const words = [];
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith('--')) {
    if (!flags.has(args[i])) i++;
    continue;
  }
  words.push(args[i]);
}
const [service, command] = words;

function fail(code, operation, message, status = 254) {
  process.stderr.write(`\nAn error occurred (${code}) when calling the ${operation} operation: ${message}\n`);
  process.exit(status);
}

async function post(url, headers, body, operation) {
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/shim', ...headers },
      body,
    });
  } catch (error) {
    fail('EndpointConnectionError', operation, String(error), 255);
  }
  const text = await response.text();
  if (response.status >= 400) {
    const xmlCode = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    let jsonCode;
    try {
      jsonCode = String(JSON.parse(text).__type ?? '')
        .split('#')
        .pop();
    } catch {
      jsonCode = undefined;
    }
    fail(xmlCode ?? jsonCode ?? `HTTP${response.status}`, operation, text.slice(0, 200));
  }
  return text;
}

const json = (target, version, body, operation, url) =>
  post(
    url,
    { 'x-amz-target': target, 'content-type': `application/x-amz-json-${version}` },
    JSON.stringify(body),
    operation,
  );

const key = `${service} ${command}`;
if (key === 'ec2 create-tags') {
  const form = new URLSearchParams({ Action: 'CreateTags', Version: '2016-11-15' });
  form.set('ResourceId.1', option('--resources') ?? '');
  const tag = /^Key=([^,]*),Value=(.*)$/.exec(option('--tags') ?? '');
  if (!tag) fail('ParamValidation', 'CreateTags', 'expected --tags Key=<k>,Value=<v>', 252);
  form.set('Tag.1.Key', tag[1]);
  form.set('Tag.1.Value', tag[2]);
  await post(
    process.env.GHR_TEST_EC2_URL,
    { 'content-type': 'application/x-www-form-urlencoded' },
    form.toString(),
    'CreateTags',
  );
} else if (key === 'ssm get-parameter') {
  const text = await json(
    'AmazonSSM.GetParameter',
    '1.1',
    { Name: option('--name'), WithDecryption: args.includes('--with-decryption') },
    'GetParameter',
    process.env.GHR_TEST_SSM_URL,
  );
  if (option('--query') !== 'Parameter.Value')
    fail('ShimUnsupported', 'GetParameter', 'only --query Parameter.Value', 252);
  process.stdout.write(`${JSON.parse(text).Parameter.Value}\n`);
} else if (key === 'ssm delete-parameter') {
  await json(
    'AmazonSSM.DeleteParameter',
    '1.1',
    { Name: option('--name') },
    'DeleteParameter',
    process.env.GHR_TEST_SSM_URL,
  );
} else if (key === 'sqs send-message') {
  const text = await json(
    'AmazonSQS.SendMessage',
    '1.0',
    {
      QueueUrl: option('--queue-url'),
      MessageBody: option('--message-body'),
      ...(option('--delay-seconds') === undefined ? {} : { DelaySeconds: Number(option('--delay-seconds')) }),
    },
    'SendMessage',
    process.env.GHR_TEST_SQS_URL,
  );
  process.stdout.write(`${text}\n`);
} else if (key === 's3 cp') {
  const source = /^s3:\/\/([^/]+)\/(.+)$/.exec(words[2] ?? '');
  if (!source || words[3] === undefined)
    fail('ShimUnsupported', 'GetObject', 'only s3 cp s3://<bucket>/<key> <file>', 252);
  let response;
  try {
    response = await fetch(`${process.env.GHR_TEST_S3_URL}/${source[1]}/${source[2]}`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/shim' },
    });
  } catch (error) {
    fail('EndpointConnectionError', 'GetObject', String(error), 1);
  }
  // Like the CLI: a missing key is a fatal error with status 1, and no file is written.
  if (response.status >= 400) fail(String(response.status), 'GetObject', `s3://${source[1]}/${source[2]}`, 1);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(words[3], new Uint8Array(await response.arrayBuffer()));
} else {
  fail('ShimUnsupported', key, `aws-shim does not implement: ${args.join(' ')}`, 252);
}
