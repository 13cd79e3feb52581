/**
 * A MOCK of the two AWS APIs `cli setup --aws` calls, because neither has a local stand-in:
 * CloudFormation DescribeStacks (query protocol, XML) and Secrets Manager GetSecretValue /
 * PutSecretValue (JSON 1.1). A local HTTP server the real AWS SDK clients reach through
 * AWS_ENDPOINT_URL, so the CLI's requests are the real ones, and every request is recorded.
 */
import { createServer, type Server } from 'node:http';

export interface AwsRequest {
  action: string;
  /** DescribeStacks: the form fields; Secrets Manager: the JSON body. */
  params: Record<string, unknown>;
}

export interface AwsStandIn {
  /** Set as AWS_ENDPOINT_URL. */
  url: string;
  requests: AwsRequest[];
  /** Stack name -> outputs. */
  stacks: Map<string, Record<string, string>>;
  /** Secret ARN -> its current SecretString. */
  secrets: Map<string, string>;
  /** Actions answered AccessDeniedException. */
  denied: Set<string>;
  stop(): Promise<void>;
}

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startAwsStandIn(): Promise<AwsStandIn> {
  const requests: AwsRequest[] = [];
  const stacks = new Map<string, Record<string, string>>();
  const secrets = new Map<string, string>();
  const denied = new Set<string>();

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith('secretsmanager.')) {
        const action = target.slice('secretsmanager.'.length);
        const params = JSON.parse(body || '{}') as Record<string, string>;
        requests.push({ action, params });
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(value));
        };
        if (denied.has(action))
          return json(400, {
            __type: 'AccessDeniedException',
            message: `not authorized to perform secretsmanager:${action}`,
          });
        const arn = params.SecretId!;
        if (!secrets.has(arn))
          return json(400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        if (action === 'GetSecretValue')
          return json(200, { ARN: arn, Name: arn.split(':').pop(), SecretString: secrets.get(arn), VersionId: 'v1' });
        if (action === 'PutSecretValue') {
          secrets.set(arn, params.SecretString!);
          return json(200, { ARN: arn, Name: arn.split(':').pop(), VersionId: `v${requests.length}` });
        }
        return json(400, { __type: 'InvalidRequestException', message: `stand-in: no ${action}` });
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ action: form.Action ?? '?', params: form });
      const stack = stacks.get(form.StackName ?? '');
      res.writeHead(stack ? 200 : 400, { 'content-type': 'text/xml' });
      if (!stack) {
        return res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xmlEscape(form.StackName ?? '')} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        );
      }
      const outputs = Object.entries(stack)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${key}</OutputKey><OutputValue>${xmlEscape(value)}</OutputValue></member>`,
        )
        .join('');
      res.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${xmlEscape(form.StackName!)}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-28T12:00:00Z</CreationTime><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    requests,
    stacks,
    secrets,
    denied,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
