// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax is ${...} in plain strings
/**
 * What the template's references mean in the sandbox: resources found through the env vars that
 * name them (on the real stack, synthesized without bundling), resolved to the sandbox's names;
 * everything else to a made-up deployment with names as long as CloudFormation's.
 */
import { describe, expect, it } from 'vitest';
import {
  fakeAwsContext,
  normalizeStreamArn,
  resourceRoles,
  sandboxContext,
  type SandboxResources,
} from '../../../../sandbox/bundles/resources.js';
import {
  type CfnTemplate,
  resolveIntrinsics,
  resolveString,
  templateFunctions,
} from '../../../../sandbox/bundles/template.js';
import { synthStack } from '../../../support/cdk.js';

const template = synthStack().template.toJSON() as CfnTemplate;
const functions = templateFunctions(template);
const roles = resourceRoles(template, functions);
const sandbox: SandboxResources = {
  tableName: 'sendblue-groups',
  streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/sendblue-groups/stream/2026-12-05T00:00:00.000',
  queueBaseUrl: 'http://127.0.0.1:4567',
  commandQueueName: 'commands.fifo',
  deadLetterQueueName: 'dlq.fifo',
  eventBusName: 'bus',
  mediaBucketName: 'media',
  apiUrl: 'http://127.0.0.1:3000',
};

describe('the real stack in the sandbox', () => {
  it('finds the seven functions by their tag and each resource the sandbox stands in for by its env var', () => {
    expect(functions.map((fn) => fn.name).sort()).toEqual([
      'backfill',
      'contacts',
      'events',
      'ingest',
      'media',
      'read',
      'sender',
    ]);
    expect([...roles.values()].sort()).toEqual([
      'api',
      'apiCredentials',
      'callbackToken',
      'commandQueue',
      'deadLetterQueue',
      'eventBus',
      'mediaBucket',
      'table',
      'webhookSecret',
    ]);
    for (const [id, role] of roles) {
      const type = template.Resources[id]!.Type;
      expect(type, role).toBe(
        {
          api: 'AWS::ApiGatewayV2::Api',
          apiCredentials: 'AWS::SecretsManager::Secret',
          callbackToken: 'AWS::SecretsManager::Secret',
          webhookSecret: 'AWS::SecretsManager::Secret',
          commandQueue: 'AWS::SQS::Queue',
          deadLetterQueue: 'AWS::SQS::Queue',
          eventBus: 'AWS::Events::EventBus',
          mediaBucket: 'AWS::S3::Bucket',
          table: 'AWS::DynamoDB::Table',
        }[role],
      );
    }
  });

  it("resolves the sender's environment to the sandbox's queues, table and API", () => {
    const sender = functions.find((fn) => fn.name === 'sender')!;
    const env = resolveIntrinsics(sender.environment, sandboxContext(template, roles, sandbox)) as Record<
      string,
      string
    >;
    expect(env).toMatchObject({
      TABLE_NAME: 'sendblue-groups',
      COMMAND_QUEUE_URL: 'http://127.0.0.1:4567/000000000000/commands.fifo',
      DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:4567/000000000000/dlq.fifo',
      STATUS_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/status',
      API_CREDENTIALS_SECRET_ARN: expect.stringMatching(
        /^arn:aws:secretsmanager:us-east-1:000000000000:secret:.*ApiCredentials.*-AbCdEf$/,
      ),
    });
  });

  it("resolves the roles' policy resources to the same ARNs the recorder builds", () => {
    const ctx = sandboxContext(template, roles, sandbox);
    const tableId = [...roles].find(([, role]) => role === 'table')![0];
    const queueId = [...roles].find(([, role]) => role === 'deadLetterQueue')![0];
    const bucketId = [...roles].find(([, role]) => role === 'mediaBucket')![0];
    expect(ctx.getAtt(tableId, 'Arn')).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/sendblue-groups');
    expect(ctx.getAtt(tableId, 'StreamArn')).toBe(sandbox.streamArn);
    expect(ctx.getAtt(queueId, 'Arn')).toBe('arn:aws:sqs:us-east-1:000000000000:dlq.fifo');
    expect(ctx.getAtt(bucketId, 'Arn')).toBe('arn:aws:s3:::media');
    // A resource the sandbox has no stand-in for keeps a made-up ARN of its own kind.
    const failureQueue = Object.entries(template.Resources).find(
      ([id, resource]) => resource.Type === 'AWS::SQS::Queue' && !roles.has(id),
    )![0];
    expect(ctx.getAtt(failureQueue, 'Arn')).toMatch(
      /^arn:aws:sqs:us-east-1:000000000000:SendblueGroups-.*-ABCDEF123456$/,
    );
  });

  it('refuses a template where one env var names two different resources', () => {
    const broken = structuredClone(template);
    const read = Object.values(broken.Resources).find((resource) =>
      (resource.Properties?.Tags as Array<{ Value: string }> | undefined)?.some((tag) => tag.Value === 'read'),
    )!;
    (read.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.TABLE_NAME = {
      Ref: Object.keys(broken.Resources).find((id) => broken.Resources[id]!.Type === 'AWS::S3::Bucket'),
    };
    expect(() => resourceRoles(broken, templateFunctions(broken))).toThrow(/TABLE_NAME names two different resources/);
  });
});

describe('the made-up deployment', () => {
  it('gives CloudFormation-shaped names and ARNs in the fake account and region', () => {
    const ctx = fakeAwsContext(template, { stackName: 'MyStack' });
    const queue = Object.keys(template.Resources).find((id) => template.Resources[id]!.Type === 'AWS::SQS::Queue')!;
    expect(ctx.ref(queue)).toMatch(
      /^https:\/\/sqs\.us-east-1\.amazonaws\.com\/000000000000\/MyStack-.+-ABCDEF123456\.fifo$/,
    );
    expect(resolveString({ 'Fn::Sub': '${AWS::StackName}/${AWS::Region}' }, ctx)).toBe('MyStack/us-east-1');
    expect(() => ctx.ref('NoSuchResource')).toThrow('NoSuchResource is not a resource of the template');
  });

  it("maps DynamoDB Local's stream ARNs to the fake region and account", () => {
    expect(normalizeStreamArn('arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000')).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000',
    );
  });
});
