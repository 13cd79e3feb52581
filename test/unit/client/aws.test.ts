/**
 * AWS-only pieces, checked by the requests they build (no AWS account in tests): SigV4 signing of
 * reads (service execute-api), and reading a stack's outputs. A local HTTP server stands in for
 * API Gateway and CloudFormation and records what it receives.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  awsTarget,
  createReader,
  RemoteError,
  runBackfill,
  signGet,
  TargetError,
  targetFromOutputs,
  type Target,
} from '../../../client/index.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve)))));

async function recordingServer(
  answer: (req: IncomingMessage, body: string) => { status: number; type: string; body: string },
) {
  const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const out = answer(req, body);
      res.writeHead(out.status, { 'content-type': out.type });
      res.end(out.body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, seen };
}

const OUTPUTS = [
  { OutputKey: 'ApiUrl', OutputValue: 'https://abc123.execute-api.eu-west-1.amazonaws.com/' },
  { OutputKey: 'CommandQueueUrl', OutputValue: 'https://sqs.eu-west-1.amazonaws.com/123456789012/commands.fifo' },
  { OutputKey: 'DeadLetterQueueUrl', OutputValue: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq.fifo' },
];

describe('SigV4 for IAM-authorized reads', () => {
  it("signs GET with service execute-api in the stack's region", async () => {
    const headers = await signGet(
      new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/groups/g%201/messages?limit=5&cursor=x'),
      'eu-west-1',
      CREDENTIALS,
      new Date('2026-11-28T12:00:00Z'),
    );
    expect(headers['x-amz-date']).toBe('20261128T120000Z');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261128\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    const other = await signGet(
      new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/groups/g%201/messages?limit=6&cursor=x'),
      'eu-west-1',
      CREDENTIALS,
      new Date('2026-11-28T12:00:00Z'),
    );
    expect(other.authorization).not.toBe(headers.authorization); // the query is signed too
  });

  it('a reader for a deployed stack sends the signed headers; one for the sandbox sends none', async () => {
    const api = await recordingServer(() => ({ status: 200, type: 'application/json', body: '{"ok":true}' }));
    const deployed: Target = {
      kind: 'aws',
      label: 'test',
      region: 'us-west-2',
      commandQueueUrl: 'q',
      deadLetterQueueUrl: 'd',
      apiUrl: api.url,
      signReads: true,
    };
    expect(
      await createReader(deployed, { credentials: { ...CREDENTIALS, sessionToken: 'session-token' } }).get(
        '/commands/c-1',
      ),
    ).toEqual({ ok: true });
    expect(api.seen[0]!.url).toBe('/commands/c-1');
    expect(api.seen[0]!.headers.authorization).toMatch(
      /Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/execute-api\/aws4_request/,
    );
    expect(api.seen[0]!.headers['x-amz-security-token']).toBe('session-token');
    await createReader({ ...deployed, signReads: false }).get('/health');
    expect(api.seen[1]!.headers.authorization).toBeUndefined();
  });
});

describe('cli backfill --aws: invoking the backfill function', () => {
  const REPORT = {
    started_at: '2026-12-01T12:00:00.000Z',
    duration_ms: 812,
    lines: [],
    sweep: { examined: 0 },
    found: 3,
    stored: 1,
    already_there: 2,
  };
  const deployed = (url: string, name?: string): Target => ({
    kind: 'aws',
    label: 'stack Test (eu-west-1)',
    region: 'eu-west-1',
    commandQueueUrl: 'q',
    deadLetterQueueUrl: 'd',
    apiUrl: url,
    signReads: true,
    backfillFunctionName: name,
  });

  it("invokes the function synchronously (RequestResponse), signed for lambda in the stack's region, and returns its report", async () => {
    const lambdaApi = await recordingServer(() => ({
      status: 200,
      type: 'application/json',
      body: JSON.stringify(REPORT),
    }));
    const lambda = new LambdaClient({ region: 'eu-west-1', endpoint: lambdaApi.url, credentials: CREDENTIALS });
    try {
      expect(await runBackfill(deployed('https://api', 'SendblueGroups-BackfillFunction-X1'), { lambda })).toEqual(
        REPORT,
      );
    } finally {
      lambda.destroy();
    }
    const [request] = lambdaApi.seen;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/2015-03-31/functions/SendblueGroups-BackfillFunction-X1/invocations',
    });
    expect(request!.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(request!.headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/);
    expect(JSON.parse(request!.body)).toEqual({ source: 'sendblue-groups cli' });
  });

  it('a function error and a stack without the function are remote errors that say so', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(
        JSON.stringify({ errorMessage: 'Missing required environment variable FROM_NUMBER', errorType: 'Error' }),
      );
      req.resume();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const lambda = new LambdaClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      credentials: CREDENTIALS,
    });
    try {
      await expect(runBackfill(deployed('https://api', 'fn'), { lambda })).rejects.toThrow(
        new RemoteError('the backfill function failed: Missing required environment variable FROM_NUMBER'),
      );
    } finally {
      lambda.destroy();
    }
    // No request at all: there is nothing to invoke.
    await expect(runBackfill(deployed('https://api'))).rejects.toThrow(
      /has no backfill function: deploy this version \(output BackfillFunctionName\)/,
    );
  });

  it('the function name comes from the output BackfillFunctionName (optional), or SENDBLUE_GROUPS_BACKFILL_FUNCTION', async () => {
    expect(
      targetFromOutputs('S', 'eu-west-1', [...OUTPUTS, { OutputKey: 'BackfillFunctionName', OutputValue: 'fn-1' }])
        .backfillFunctionName,
    ).toBe('fn-1');
    expect(targetFromOutputs('S', 'eu-west-1', OUTPUTS).backfillFunctionName).toBeUndefined();
    const env = {
      AWS_REGION: 'eu-west-1',
      SENDBLUE_GROUPS_QUEUE_URL: 'https://q',
      SENDBLUE_GROUPS_DLQ_URL: 'https://d',
      SENDBLUE_GROUPS_API_URL: 'https://api',
      SENDBLUE_GROUPS_BACKFILL_FUNCTION: 'fn-2',
    };
    expect((await awsTarget({ env })).backfillFunctionName).toBe('fn-2');
  });
});

describe('stack outputs', () => {
  it('maps ApiUrl, CommandQueueUrl and DeadLetterQueueUrl; a missing output is a clear error', () => {
    expect(targetFromOutputs('SendblueGroups', 'eu-west-1', OUTPUTS)).toMatchObject({
      kind: 'aws',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      signReads: true,
      commandQueueUrl: OUTPUTS[1]!.OutputValue,
      deadLetterQueueUrl: OUTPUTS[2]!.OutputValue,
    });
    expect(() => targetFromOutputs('Other', 'eu-west-1', OUTPUTS.slice(1))).toThrow(
      new TargetError('stack Other has no output ApiUrl: is it a sendblue-groups stack, fully deployed?', false),
    );
  });

  it('env settings are used as they are, without CloudFormation; no region is a usage error', async () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      SENDBLUE_GROUPS_QUEUE_URL: 'https://q',
      SENDBLUE_GROUPS_DLQ_URL: 'https://d',
      SENDBLUE_GROUPS_API_URL: 'https://api/',
    };
    expect(await awsTarget({ env })).toMatchObject({
      commandQueueUrl: 'https://q',
      deadLetterQueueUrl: 'https://d',
      apiUrl: 'https://api',
      region: 'eu-west-1',
    });
    await expect(awsTarget({ env: {} })).rejects.toMatchObject({
      remote: false,
      message: expect.stringContaining('no AWS region'),
    });
  });

  it('asks CloudFormation DescribeStacks for the named stack', async () => {
    const cfn = await recordingServer(() => ({
      status: 200,
      type: 'text/xml',
      body: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>MyGroups</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-28T12:00:00Z</CreationTime><Outputs>${OUTPUTS.map((o) => `<member><OutputKey>${o.OutputKey}</OutputKey><OutputValue>${o.OutputValue}</OutputValue></member>`).join('')}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    }));
    const cloudFormation = new CloudFormationClient({
      region: 'eu-west-1',
      endpoint: cfn.url,
      credentials: CREDENTIALS,
    });
    try {
      const target = await awsTarget({ stackName: 'MyGroups', env: { AWS_REGION: 'eu-west-1' }, cloudFormation });
      expect(target.commandQueueUrl).toBe(OUTPUTS[1]!.OutputValue);
      expect(target.label).toBe('stack MyGroups (eu-west-1)');
    } finally {
      cloudFormation.destroy();
    }
    expect(cfn.seen[0]!.body).toContain('Action=DescribeStacks');
    expect(cfn.seen[0]!.body).toContain('StackName=MyGroups');
    expect(cfn.seen[0]!.headers.authorization).toMatch(/\/eu-west-1\/cloudformation\/aws4_request/);
  });
});
