/**
 * SANDBOX ONLY (bundles mode): one endpoint on 127.0.0.1 for every AWS call the bundles make
 * (their SDK clients reach it through AWS_ENDPOINT_URL; each function signs with its own access key).
 * It records who called what (access key -> function, the IAM action and resource, aws-call.ts) and
 * passes the call on: DynamoDB and DynamoDB Streams to DynamoDB Local, SQS and S3 to the SQS emulator
 * (which is also the S3 stand-in), Secrets Manager and EventBridge to the stand-ins of local-aws.ts.
 * `npm run verify:deploy` evaluates the record against the roles in the template.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyRequest, type IamCheck, type RawRequest } from './aws-call.js';
import { awsError, type JsonAnswer, type JsonService } from './local-aws.js';

/** Who signs with an access key: a function's code, or Lambda's event source mapping acting with its role. */
export interface Caller {
  function: string;
  via: 'code' | 'event source mapping';
}

/** One distinct authorization seen: caller, action and resource, and how often. */
export interface RecordedCall extends IamCheck {
  function: string;
  via: Caller['via'];
  operation: string;
  count: number;
}

/** A request that could not be told apart (no known key, no action): the IAM check fails on it. */
export interface UnclassifiedCall {
  function?: string;
  operation: string;
  problem: string;
}

export interface AwsProxyOptions {
  /** The caller behind each access key. */
  callerOf: (accessKeyId: string) => Caller | undefined;
  /** Where each signing service's calls go: a base URL, or a local stand-in. Read at each call. */
  targets: () => Partial<Record<string, string | JsonService>>;
}

export interface AwsProxy {
  url: string;
  calls(): RecordedCall[];
  unclassified(): UnclassifiedCall[];
  stop(): Promise<void>;
}

/** Iterators remembered per stream (GetRecords names only an iterator); older ones are dropped. */
const MAX_ITERATORS = 10_000;

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const recorded = new Map<string, RecordedCall>();
  const unclassified: UnclassifiedCall[] = [];
  const iteratorStreams = new Map<string, string>();
  const rememberIterator = (iterator: unknown, stream: string | undefined) => {
    if (typeof iterator !== 'string' || !stream) return;
    iteratorStreams.set(iterator, stream);
    if (iteratorStreams.size > MAX_ITERATORS) iteratorStreams.delete(iteratorStreams.keys().next().value!);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw: RawRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      handle(raw, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ message: `sandbox AWS proxy: ${error instanceof Error ? error.message : String(error)}` }),
        );
      });
    });
  });

  async function handle(raw: RawRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const classified = classifyRequest(raw, (iterator) => iteratorStreams.get(iterator));
    const caller = classified.accessKeyId ? options.callerOf(classified.accessKeyId) : undefined;
    if (!caller || classified.problem) {
      unclassified.push({
        function: caller?.function,
        operation: `${classified.service ?? '?'}:${classified.operation}`,
        problem:
          classified.problem ?? `signed with an access key no function has (${classified.accessKeyId ?? 'unsigned'})`,
      });
    }
    if (caller) {
      for (const check of classified.checks) {
        const key = `${caller.function}\n${caller.via}\n${check.action}\n${check.resource}`;
        const known = recorded.get(key);
        if (known) known.count += 1;
        else
          recorded.set(key, {
            ...check,
            function: caller.function,
            via: caller.via,
            operation: classified.operation,
            count: 1,
          });
      }
    }

    const target = classified.service ? options.targets()[classified.service] : undefined;
    if (target === undefined) {
      return send(
        res,
        awsError(400, 'UnrecognizedClientException', `the sandbox has no ${classified.service ?? 'unsigned'} service`),
        '1.1',
      );
    }
    if (typeof target === 'function') {
      const body = raw.body.length ? (JSON.parse(raw.body.toString('utf8')) as Record<string, unknown>) : {};
      return send(res, await target(classified.operation, body), '1.1');
    }
    const answer = await forward(target, raw);
    // DynamoDB Streams: the stream behind each iterator handed out, for the GetRecords that use it.
    if (String(req.headers['x-amz-target'] ?? '').startsWith('DynamoDBStreams') && answer.status === 200) {
      try {
        const out = JSON.parse(answer.body.toString('utf8')) as { ShardIterator?: string; NextShardIterator?: string };
        const request = JSON.parse(raw.body.toString('utf8')) as { StreamArn?: string; ShardIterator?: string };
        const stream =
          request.StreamArn ?? (request.ShardIterator ? iteratorStreams.get(request.ShardIterator) : undefined);
        rememberIterator(out.ShardIterator, stream);
        rememberIterator(out.NextShardIterator, stream);
      } catch {
        // Not JSON: nothing to remember.
      }
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => [...recorded.values()],
    unclassified: () => [...unclassified],
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, answer: JsonAnswer, version: '1.0' | '1.1'): void {
  const type = (answer.body as { __type?: string } | undefined)?.__type;
  res.writeHead(answer.status, {
    'content-type': `application/x-amz-json-${version}`,
    ...(type ? { 'x-amzn-errortype': type } : {}),
  });
  res.end(JSON.stringify(answer.body));
}

interface Forwarded {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** The request as it came (signature and all: the local services do not check it), to `base`. */
function forward(base: string, raw: RawRequest): Promise<Forwarded> {
  const target = new URL(raw.url, base);
  const { connection: _connection, ...given } = raw.headers;
  const headers = { ...given, host: target.host };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(target, { method: raw.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding') out[name] = value;
        }
        resolve({ status: response.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(raw.body);
  });
}
