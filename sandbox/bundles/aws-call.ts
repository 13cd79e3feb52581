/**
 * What an AWS SDK request asks IAM for: from the raw HTTP request (the signing key, the service in
 * the credential scope, the JSON protocol's X-Amz-Target or S3's REST path) to the IAM actions and
 * resource ARNs it needs, as AWS's Service Authorization Reference lists them (a batch call is
 * authorized per item: SendMessageBatch as sqs:SendMessage, TransactWriteItems per Put/Update/...).
 * ARNs use the sandbox's fake account and region. Plain functions: the recording proxy uses them.
 */
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../../lambdas/contract/sandbox.js';
import { normalizeStreamArn } from './resources.js';

export interface RawRequest {
  method: string;
  /** Path and query, as received (`/bucket/key?x-id=PutObject`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One authorization AWS makes for a request: an action on a resource. */
export interface IamCheck {
  action: string;
  resource: string;
}

export interface ClassifiedRequest {
  /** From the SigV4 Authorization header or a presigned URL's X-Amz-Credential. */
  accessKeyId?: string;
  /** The signing name in the credential scope (`dynamodb`, `sqs`, `s3`, `secretsmanager`, `events`). */
  service?: string;
  /** `PutItem`, `SendMessage`, `GetObject`... */
  operation: string;
  checks: IamCheck[];
  /** Set when the action or resource could not be told (the IAM check then fails on it). */
  problem?: string;
}

const ACCOUNT = SANDBOX_ACCOUNT;
const REGION = SANDBOX_REGION;

/** The access key and service of a SigV4-signed (or presigned) request. */
export function signingScope(request: RawRequest): { accessKeyId?: string; service?: string } {
  const header = String(request.headers.authorization ?? '');
  const fromHeader = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(header);
  if (fromHeader) return { accessKeyId: fromHeader[1], service: fromHeader[2] };
  const query = new URL(request.url, 'http://local').searchParams.get('X-Amz-Credential');
  const fromQuery = query ? /^([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request$/.exec(query) : null;
  return fromQuery ? { accessKeyId: fromQuery[1], service: fromQuery[2] } : {};
}

/** What the request needs from IAM. `streamOf` names the stream a DynamoDB Streams shard iterator reads. */
export function classifyRequest(
  request: RawRequest,
  streamOf: (shardIterator: string) => string | undefined = () => undefined,
): ClassifiedRequest {
  const scope = signingScope(request);
  const target = String(request.headers['x-amz-target'] ?? '');
  if (scope.service === 's3') return { ...scope, ...classifyS3(request) };
  if (!target)
    return { ...scope, operation: 'unknown', checks: [], problem: 'no X-Amz-Target (not a JSON-protocol call)' };
  const operation = target.slice(target.indexOf('.') + 1);
  let body: Record<string, unknown>;
  try {
    body = request.body.length ? (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    return { ...scope, operation, checks: [], problem: 'the body is not JSON' };
  }
  const prefix = target.slice(0, target.indexOf('.'));
  const classified = prefix.startsWith('DynamoDBStreams')
    ? classifyStreams(operation, body, streamOf)
    : prefix.startsWith('DynamoDB')
      ? classifyDynamoDb(operation, body)
      : prefix === 'AmazonSQS'
        ? classifySqs(operation, body)
        : prefix === 'secretsmanager'
          ? classifySecrets(operation, body)
          : prefix === 'AWSEvents'
            ? classifyEvents(operation, body)
            : { checks: [], problem: `unknown service target ${prefix}` };
  return { ...scope, operation, ...classified };
}

type Classified = Pick<ClassifiedRequest, 'checks' | 'problem'>;

const tableArn = (name: unknown) => {
  const text = String(name);
  return text.startsWith('arn:') ? text : `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${text}`;
};

function classifyDynamoDb(operation: string, body: Record<string, unknown>): Classified {
  const action = (name: string) => `dynamodb:${name}`;
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return {
        checks: Object.keys((body.RequestItems as object) ?? {}).map((table) => ({
          action: action(operation),
          resource: tableArn(table),
        })),
      };
    case 'TransactGetItems':
      return {
        checks: ((body.TransactItems as Array<{ Get?: { TableName?: string } }>) ?? []).map((item) => ({
          action: action('GetItem'),
          resource: tableArn(item.Get?.TableName),
        })),
      };
    case 'TransactWriteItems': {
      const kinds: Record<string, string> = {
        ConditionCheck: 'ConditionCheckItem',
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
      };
      const items = (body.TransactItems as Array<Record<string, { TableName?: string }>>) ?? [];
      return {
        checks: items.flatMap((item) =>
          Object.entries(item).map(([kind, part]) => ({
            action: action(kinds[kind] ?? kind),
            resource: tableArn(part.TableName),
          })),
        ),
      };
    }
    default: {
      if (typeof body.TableName !== 'string') {
        return { checks: [], problem: `dynamodb:${operation} names no table (not classified)` };
      }
      const index = typeof body.IndexName === 'string' ? `/index/${body.IndexName}` : '';
      return { checks: [{ action: action(operation), resource: `${tableArn(body.TableName)}${index}` }] };
    }
  }
}

function classifyStreams(
  operation: string,
  body: Record<string, unknown>,
  streamOf: (shardIterator: string) => string | undefined,
): Classified {
  const action = `dynamodb:${operation}`;
  if (operation === 'ListStreams') return { checks: [{ action, resource: '*' }] };
  if (typeof body.StreamArn === 'string') return { checks: [{ action, resource: normalizeStreamArn(body.StreamArn) }] };
  const stream = typeof body.ShardIterator === 'string' ? streamOf(body.ShardIterator) : undefined;
  if (stream) return { checks: [{ action, resource: normalizeStreamArn(stream) }] };
  return { checks: [], problem: `${action}: the stream of its shard iterator is not known` };
}

/** SQS's batch calls are authorized as their single-message actions. */
const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function classifySqs(operation: string, body: Record<string, unknown>): Classified {
  const action = `sqs:${SQS_BATCH_ACTIONS[operation] ?? operation}`;
  const name =
    typeof body.QueueUrl === 'string'
      ? body.QueueUrl.replace(/\/+$/, '').split('/').pop()
      : typeof body.QueueName === 'string'
        ? body.QueueName
        : undefined;
  if (operation === 'ListQueues') return { checks: [{ action, resource: '*' }] };
  if (!name) return { checks: [], problem: `${action} names no queue` };
  return { checks: [{ action, resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}` }] };
}

function classifySecrets(operation: string, body: Record<string, unknown>): Classified {
  const action = `secretsmanager:${operation}`;
  const id = body.SecretId;
  if (typeof id !== 'string') return { checks: [], problem: `${action} names no secret` };
  // A secret named rather than given by ARN: its ARN ends in a random suffix, hence the wildcard.
  return {
    checks: [
      {
        action,
        resource: id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-??????`,
      },
    ],
  };
}

const busArn = (bus: unknown) => {
  const text = typeof bus === 'string' && bus ? bus : 'default';
  return text.startsWith('arn:') ? text : `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${text}`;
};

function classifyEvents(operation: string, body: Record<string, unknown>): Classified {
  const action = `events:${operation}`;
  if (operation !== 'PutEvents') return { checks: [], problem: `${action} is not classified` };
  const buses = new Set(
    ((body.Entries as Array<{ EventBusName?: string }>) ?? []).map((entry) => busArn(entry.EventBusName)),
  );
  return { checks: [...buses].map((resource) => ({ action, resource })) };
}

/** S3's REST API, path-style (`/<bucket>/<key>`), as the SDK sends it to an endpoint on 127.0.0.1. */
function classifyS3(request: RawRequest): Pick<ClassifiedRequest, 'operation' | 'checks' | 'problem'> {
  const url = new URL(request.url, 'http://local');
  const [bucket, ...keyParts] = url.pathname.replace(/^\/+/, '').split('/');
  const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
  const method = request.method.toUpperCase();
  const object = (operation: string, action = operation) => ({
    operation,
    checks: [{ action: `s3:${action}`, resource: `arn:aws:s3:::${bucket}/${key}` }],
  });
  const onBucket = (operation: string, action = operation) => ({
    operation,
    checks: [{ action: `s3:${action}`, resource: `arn:aws:s3:::${bucket}` }],
  });
  if (!bucket) return { operation: 'ListBuckets', checks: [{ action: 's3:ListAllMyBuckets', resource: '*' }] };
  if (key) {
    if (method === 'GET' || method === 'HEAD')
      return object(method === 'GET' ? 'GetObject' : 'HeadObject', 'GetObject');
    if (method === 'DELETE') return object('DeleteObject');
    if (method === 'PUT' || method === 'POST') {
      const copySource = request.headers['x-amz-copy-source'];
      const put = object(url.searchParams.has('partNumber') ? 'UploadPart' : 'PutObject', 'PutObject');
      if (typeof copySource === 'string') {
        const source = decodeURIComponent(copySource.replace(/^\//, '').split('?')[0]!);
        put.checks.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${source}` });
      }
      return put;
    }
  } else {
    if (method === 'PUT') return onBucket('CreateBucket');
    if (method === 'GET' || method === 'HEAD')
      return onBucket(method === 'GET' ? 'ListObjects' : 'HeadBucket', 'ListBucket');
    if (method === 'DELETE') return onBucket('DeleteBucket');
  }
  return {
    operation: `${method} ${url.pathname}`,
    checks: [],
    problem: `S3 ${method} ${url.pathname} is not classified`,
  };
}
