/**
 * What the template's references mean: a made-up deployment (a fake account and region, physical
 * names shaped like CloudFormation's) and, on top of it, the sandbox's own resources. Which template
 * resource is the table, the command queue or a secret is read from the environment variables that
 * point at it (lambdas/contract/env.ts), never from logical ids.
 */
import { ENV } from '../../lambdas/contract/env.js';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../../lambdas/contract/sandbox.js';
import {
  type CfnTemplate,
  type IntrinsicContext,
  referencedId,
  type TemplateFunction,
  UnresolvableError,
} from './template.js';

/** The resources the sandbox stands in for, by what the functions use them as. */
export type SandboxRole =
  | 'table'
  | 'commandQueue'
  | 'deadLetterQueue'
  | 'webhookSecret'
  | 'callbackToken'
  | 'apiCredentials'
  | 'eventBus'
  | 'mediaBucket'
  | 'api';

/** The env var that names each role's resource (STATUS_WEBHOOK_URL is built from the API's endpoint). */
export const ROLE_OF_ENV: Readonly<Record<string, SandboxRole>> = {
  [ENV.tableName]: 'table',
  [ENV.commandQueueUrl]: 'commandQueue',
  [ENV.deadLetterQueueUrl]: 'deadLetterQueue',
  [ENV.webhookSecretArn]: 'webhookSecret',
  [ENV.callbackTokenSecretArn]: 'callbackToken',
  [ENV.apiCredentialsSecretArn]: 'apiCredentials',
  [ENV.eventBusName]: 'eventBus',
  [ENV.mediaBucketName]: 'mediaBucket',
  [ENV.statusWebhookUrl]: 'api',
};

/** Every logical id a value refers to (Ref, Fn::GetAtt, `${Id}` / `${Id.Attr}` in Fn::Sub). */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  const id = referencedId(value);
  if (id !== undefined && !id.startsWith('AWS::')) into.add(id);
  if (Array.isArray(value)) for (const item of value) referencedIds(item, into);
  else if (value && typeof value === 'object') {
    const sub = (value as Record<string, unknown>)['Fn::Sub'];
    const text = Array.isArray(sub) ? sub[0] : sub;
    if (typeof text === 'string') {
      for (const [, name] of text.matchAll(/\$\{([^!}][^}.]*)/g)) if (!name!.startsWith('AWS::')) into.add(name!);
    }
    for (const item of Object.values(value)) referencedIds(item, into);
  }
  return into;
}

/** Logical id -> role, from the functions' environment variables. Two resources in one role is an error. */
export function resourceRoles(template: CfnTemplate, functions: TemplateFunction[]): Map<string, SandboxRole> {
  const byRole = new Map<SandboxRole, string>();
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      const role = ROLE_OF_ENV[name];
      if (!role) continue;
      // STATUS_WEBHOOK_URL joins the API's endpoint with a path: the API is the one resource named.
      const ids = [...referencedIds(value)].filter((id) => template.Resources[id]);
      if (ids.length !== 1) {
        throw new Error(`${fn.name}'s ${name} should refer to one resource of the template (found ${ids.length})`);
      }
      const known = byRole.get(role);
      if (known && known !== ids[0]) {
        throw new Error(`${name} names two different resources (${known}, ${ids[0]}): the sandbox has one ${role}`);
      }
      byRole.set(role, ids[0]!);
    }
  }
  return new Map([...byRole].map(([role, id]) => [id, role]));
}

export interface FakeAwsOptions {
  /** @default SANDBOX_ACCOUNT */
  account?: string;
  /** @default SANDBOX_REGION */
  region?: string;
  /** Physical names start with it, as CloudFormation's do. @default 'SendblueGroups' */
  stackName?: string;
}

/**
 * A made-up deployment: each resource gets the Ref and attributes CloudFormation would give it, in
 * a fake account and region, with physical names as long as real ones (`<stack>-<id>-<suffix>`),
 * so sizes measured on them (environment, policy) are close to a real stack's.
 */
export function fakeAwsContext(template: CfnTemplate, options: FakeAwsOptions = {}): IntrinsicContext {
  const account = options.account ?? SANDBOX_ACCOUNT;
  const region = options.region ?? SANDBOX_REGION;
  const stackName = options.stackName ?? 'SendblueGroups';
  const arn = (service: string, rest: string, scope = `${region}:${account}`) => `arn:aws:${service}:${scope}:${rest}`;
  const typeOf = (id: string) => {
    const resource = template.Resources[id];
    if (!resource) throw new UnresolvableError(`${id} is not a resource of the template`);
    return resource;
  };
  // CloudFormation's generated names: stack name, logical id (cut), a 12-character suffix.
  const physicalName = (id: string, max = 64) => {
    const suffix = 'ABCDEF123456';
    const room = Math.max(1, max - stackName.length - suffix.length - 2);
    return `${stackName}-${id.slice(0, room)}-${suffix}`;
  };
  const literalName = (id: string, property: string, max?: number) => {
    const value = typeOf(id).Properties?.[property];
    return typeof value === 'string' ? value : physicalName(id, max);
  };
  const queueName = (id: string) => {
    const fifo = typeOf(id).Properties?.FifoQueue === true || typeOf(id).Properties?.FifoQueue === 'true';
    const given = typeOf(id).Properties?.QueueName;
    return typeof given === 'string' ? given : `${physicalName(id, fifo ? 75 : 80)}${fifo ? '.fifo' : ''}`;
  };

  const ref = (id: string): string => {
    const { Type } = typeOf(id);
    switch (Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${queueName(id)}`;
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${literalName(id, 'Name', 512)}-AbCdEf`);
      case 'AWS::SNS::Topic':
        return arn('sns', literalName(id, 'TopicName', 256));
      case 'AWS::IAM::Role':
      case 'AWS::Lambda::Function':
      case 'AWS::DynamoDB::Table':
      case 'AWS::S3::Bucket':
      case 'AWS::Events::EventBus':
      case 'AWS::Logs::LogGroup':
        return nameOf(id);
      case 'AWS::KMS::Key':
        return '1234abcd-12ab-34cd-56ef-1234567890ab';
      default:
        return physicalName(id);
    }
  };
  const nameOf = (id: string): string => {
    const { Type } = typeOf(id);
    switch (Type) {
      case 'AWS::DynamoDB::Table':
        return literalName(id, 'TableName', 255);
      case 'AWS::S3::Bucket':
        return literalName(id, 'BucketName', 63).toLowerCase();
      case 'AWS::Events::EventBus':
        return literalName(id, 'Name', 256);
      case 'AWS::Logs::LogGroup':
        return literalName(id, 'LogGroupName', 512);
      case 'AWS::Lambda::Function':
        return literalName(id, 'FunctionName', 64);
      case 'AWS::IAM::Role':
        return literalName(id, 'RoleName', 64);
      default:
        return physicalName(id);
    }
  };
  const getAtt = (id: string, attribute: string): string => {
    const { Type } = typeOf(id);
    const service = Type.split('::')[1]!.toLowerCase();
    switch (`${Type}.${attribute}`) {
      case 'AWS::DynamoDB::Table.Arn':
        return arn('dynamodb', `table/${nameOf(id)}`);
      case 'AWS::DynamoDB::Table.StreamArn':
        return arn('dynamodb', `table/${nameOf(id)}/stream/2026-01-01T00:00:00.000`);
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', queueName(id));
      case 'AWS::SQS::Queue.QueueName':
        return queueName(id);
      case 'AWS::SQS::Queue.QueueUrl':
        return ref(id);
      case 'AWS::S3::Bucket.Arn':
        return arn('s3', nameOf(id), ':');
      case 'AWS::Events::EventBus.Arn':
        return arn('events', `event-bus/${nameOf(id)}`);
      case 'AWS::Events::EventBus.Name':
        return nameOf(id);
      case 'AWS::Logs::LogGroup.Arn':
        return arn('logs', `log-group:${nameOf(id)}:*`);
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${nameOf(id)}`);
      case 'AWS::IAM::Role.Arn':
        return arn('iam', `role/${nameOf(id)}`, `:${account}`);
      case 'AWS::KMS::Key.Arn':
        return arn('kms', `key/${ref(id)}`);
      case 'AWS::SNS::Topic.TopicArn':
        return ref(id);
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return `https://abcdef1234.execute-api.${region}.amazonaws.com`;
      case 'AWS::ApiGatewayV2::Api.ApiId':
        return 'abcdef1234';
      default:
        // Any other ARN-valued attribute: shaped like one of the right service.
        if (attribute.endsWith('Arn')) return arn(service, `${Type.split('::')[2]!.toLowerCase()}/${physicalName(id)}`);
        return `${physicalName(id)}-${attribute}`;
    }
  };
  return {
    ref,
    getAtt,
    pseudo: {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
      'AWS::StackId': arn('cloudformation', `stack/${stackName}/11111111-2222-3333-4444-555555555555`),
      'AWS::NoValue': '',
    },
  };
}

/** The sandbox's side of each role (what `npm start` created and where it listens). */
export interface SandboxResources {
  tableName: string;
  /** The table's stream, as the sandbox reports it (region and account made the fake ones). */
  streamArn?: string;
  /** Queue URLs are `<queueBaseUrl>/<account>/<name>`: the base decides where the SDK sends SQS calls. */
  queueBaseUrl: string;
  commandQueueName: string;
  deadLetterQueueName: string;
  eventBusName: string;
  mediaBucketName: string;
  /** The sandbox API's base URL (what `ApiEndpoint` means here). */
  apiUrl: string;
}

/** The fake deployment with the sandbox's resources in their roles: what the sandbox's bundles and the IAM check see. */
export function sandboxContext(
  template: CfnTemplate,
  roles: Map<string, SandboxRole>,
  sandbox: SandboxResources,
): IntrinsicContext {
  const fake = fakeAwsContext(template);
  const account = SANDBOX_ACCOUNT;
  const region = SANDBOX_REGION;
  const queueName = (role: SandboxRole) =>
    role === 'commandQueue'
      ? sandbox.commandQueueName
      : role === 'deadLetterQueue'
        ? sandbox.deadLetterQueueName
        : undefined;
  const tableArn = `arn:aws:dynamodb:${region}:${account}:table/${sandbox.tableName}`;
  return {
    pseudo: fake.pseudo,
    ref(id) {
      const role = roles.get(id);
      const queue = role && queueName(role);
      if (queue) return `${sandbox.queueBaseUrl}/${account}/${queue}`;
      if (role === 'table') return sandbox.tableName;
      if (role === 'eventBus') return sandbox.eventBusName;
      if (role === 'mediaBucket') return sandbox.mediaBucketName;
      return fake.ref(id);
    },
    getAtt(id, attribute) {
      const role = roles.get(id);
      const queue = role && queueName(role);
      if (queue && attribute === 'Arn') return `arn:aws:sqs:${region}:${account}:${queue}`;
      if (queue && attribute === 'QueueName') return queue;
      if (role === 'table' && attribute === 'Arn') return tableArn;
      if (role === 'table' && attribute === 'StreamArn') return sandbox.streamArn ?? `${tableArn}/stream/sandbox`;
      if (role === 'eventBus' && attribute === 'Arn')
        return `arn:aws:events:${region}:${account}:event-bus/${sandbox.eventBusName}`;
      if (role === 'eventBus' && attribute === 'Name') return sandbox.eventBusName;
      if (role === 'mediaBucket' && attribute === 'Arn') return `arn:aws:s3:::${sandbox.mediaBucketName}`;
      if (role === 'api' && attribute === 'ApiEndpoint') return sandbox.apiUrl;
      return fake.getAtt(id, attribute);
    },
  };
}

/** The ARN a DynamoDB Local stream ARN stands for in the fake account and region (`ddblocal` -> us-east-1). */
export const normalizeStreamArn = (streamArn: string) =>
  streamArn.replace(/^arn:aws:dynamodb:[^:]*:[^:]*:/, `arn:aws:dynamodb:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:`);
