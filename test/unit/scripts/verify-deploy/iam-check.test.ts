/**
 * The IAM check of verify:deploy on known cases: the real stack's roles (synthesized without
 * bundling) allow the calls its functions make, and removing any one action from the sender's
 * policy makes exactly the calls that need it fail, naming function, action and resource; resource
 * policies and KMS keys on a made-up template. (test/integration/sandbox/walkthrough.test.ts does
 * the same with the calls the bundles really made.)
 */
import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../../../sandbox/bundles/aws-proxy.js';
import type { SandboxResources } from '../../../../sandbox/bundles/resources.js';
import type { CfnTemplate, PolicyStatement } from '../../../../sandbox/bundles/template.js';
import { checkIam } from '../../../../scripts/verify-deploy/iam-check.js';
import { synthStack } from '../../../support/cdk.js';

const template = synthStack().template.toJSON() as CfnTemplate;
const resources: SandboxResources = {
  tableName: 'sendblue-groups',
  streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/sendblue-groups/stream/2026-12-05T00:00:00.000',
  queueBaseUrl: 'http://127.0.0.1:4567',
  commandQueueName: 'commands.fifo',
  deadLetterQueueName: 'dlq.fifo',
  eventBusName: 'bus',
  mediaBucketName: 'media',
  apiUrl: 'http://127.0.0.1:3000',
};
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/sendblue-groups';
const call = (fn: string, action: string, resource: string, via: RecordedCall['via'] = 'code'): RecordedCall => ({
  function: fn,
  via,
  action,
  resource,
  operation: action.split(':')[1]!,
  count: 1,
});

/** What the sender's code and its event source mapping do (as the sandbox records them). */
const SENDER_CALLS = [
  call('sender', 'dynamodb:GetItem', TABLE),
  call('sender', 'dynamodb:UpdateItem', TABLE),
  call('sender', 'dynamodb:Query', `${TABLE}/index/GSI1`),
  call('sender', 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:dlq.fifo'),
  call('sender', 'sqs:ChangeMessageVisibility', 'arn:aws:sqs:us-east-1:000000000000:commands.fifo'),
  call('sender', 'sqs:ReceiveMessage', 'arn:aws:sqs:us-east-1:000000000000:commands.fifo', 'event source mapping'),
  call('sender', 'sqs:DeleteMessage', 'arn:aws:sqs:us-east-1:000000000000:commands.fifo', 'event source mapping'),
];

const statementsOf = (t: CfnTemplate, roleNameStart: string): PolicyStatement[] =>
  Object.values(t.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties!.Roles as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(roleNameStart)))
    .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: PolicyStatement[] }).Statement);

describe('the real stack', () => {
  it("allows the sender's calls, and every other function's, and nothing beyond its role", async () => {
    const others = [
      call('ingest', 'dynamodb:PutItem', TABLE),
      call('read', 'dynamodb:Query', TABLE),
      call('read', 's3:GetObject', 'arn:aws:s3:::media/media/g/h/photo.png'),
      call('media', 's3:PutObject', 'arn:aws:s3:::media/media/g/h/photo.png'),
      call('events', 'events:PutEvents', 'arn:aws:events:us-east-1:000000000000:event-bus/bus'),
      call('events', 'dynamodb:GetRecords', resources.streamArn!, 'event source mapping'),
      call('backfill', 'dynamodb:BatchGetItem', TABLE),
    ];
    expect((await checkIam({ template, resources, calls: [...SENDER_CALLS, ...others] })).failures).toEqual([]);

    const beyond = [
      call('read', 'dynamodb:PutItem', TABLE),
      call('read', 's3:GetObject', 'arn:aws:s3:::media/not-media/photo.png'),
      call('ingest', 'dynamodb:Query', `${TABLE}/index/OTHER`),
      call('media', 's3:PutObject', 'arn:aws:s3:::another-bucket/media/x'),
      call('events', 'events:PutEvents', 'arn:aws:events:us-east-1:000000000000:event-bus/default'),
    ];
    const { failures } = await checkIam({ template, resources, calls: beyond });
    expect(failures).toEqual(
      beyond.map((c) => `${c.function}: ${c.action} on ${c.resource} is not allowed by its role (ImplicitlyDenied)`),
    );
  });

  it("removing any one action from the sender's policy fails exactly the calls that need it, naming them", async () => {
    for (const statement of statementsOf(template, 'Sender')) {
      const actions = [statement.Action].flat() as string[];
      for (const removed of actions) {
        if (removed.startsWith('logs:')) continue; // written by Lambda itself, not by the code
        const mutated = structuredClone(template);
        const target = statementsOf(mutated, 'Sender').find((s) => JSON.stringify(s) === JSON.stringify(statement))!;
        const left = actions.filter((action) => action !== removed);
        if (left.length) target.Action = left;
        else target.Action = 'sqs:ListQueues'; // an action nobody calls: the statement stays valid
        const needing = SENDER_CALLS.filter((c) => c.action === removed);
        const { failures } = await checkIam({ template: mutated, resources, calls: SENDER_CALLS });
        const expected = needing.map((c) => {
          const who = c.via === 'code' ? 'sender' : 'sender (its event source mapping)';
          return `${who}: ${c.action} on ${c.resource} is not allowed by its role (ImplicitlyDenied)`;
        });
        expect(failures, `without ${removed}`).toEqual(expected);
      }
    }
  });
});

describe('resource policies and KMS, on a made-up template', () => {
  const KEY = 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const made = (
    roleStatements: PolicyStatement[],
    queuePolicy?: PolicyStatement[],
    keyPolicy?: unknown,
  ): CfnTemplate => ({
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: keyPolicy ? { KeyPolicy: keyPolicy } : {} },
      Dlq: {
        Type: 'AWS::SQS::Queue',
        Properties: { FifoQueue: true, KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } },
      },
      ...(queuePolicy
        ? {
            DlqPolicy: {
              Type: 'AWS::SQS::QueuePolicy',
              Properties: {
                Queues: [{ Ref: 'Dlq' }],
                PolicyDocument: { Version: '2012-10-17', Statement: queuePolicy },
              },
            },
          }
        : {}),
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      RolePolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Version: '2012-10-17', Statement: roleStatements } },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Tags: [{ Key: 'sendblue-groups:handler', Value: 'sender' }],
          Environment: { Variables: { DEAD_LETTER_QUEUE_URL: { Ref: 'Dlq' } } },
        },
      },
    },
  });
  const send = call('sender', 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:dlq.fifo');
  const sendAllowed: PolicyStatement = {
    Effect: 'Allow',
    Action: 'sqs:SendMessage',
    Resource: { 'Fn::GetAtt': ['Dlq', 'Arn'] },
  };

  it('a queue encrypted with a customer managed key needs kms:GenerateDataKey and kms:Decrypt on that key', async () => {
    const withoutKms = await checkIam({ template: made([sendAllowed]), resources, calls: [send] });
    expect(withoutKms.failures).toEqual([
      `sender: kms:GenerateDataKey on ${KEY} is not allowed by its role (ImplicitlyDenied); needed for sqs:SendMessage on ${send.resource} (Dlq: customer managed key)`,
      `sender: kms:Decrypt on ${KEY} is not allowed by its role (ImplicitlyDenied); needed for sqs:SendMessage on ${send.resource} (Dlq: customer managed key)`,
    ]);
    const kms: PolicyStatement = {
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': ['Key', 'Arn'] },
    };
    expect((await checkIam({ template: made([sendAllowed, kms]), resources, calls: [send] })).failures).toEqual([]);
    // A key policy that does not let the account's IAM policies decide refuses, whatever the role says.
    const closed = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
      ],
    };
    const refused = await checkIam({ template: made([sendAllowed, kms], undefined, closed), resources, calls: [send] });
    expect(refused.failures).toHaveLength(2);
    expect(refused.failures[0]).toMatch(/^sender: kms:GenerateDataKey on .* is not allowed by its role/);
  });

  it("a queue policy's TLS-only deny does not refuse the SDK (TLS); an explicit deny does, as ExplicitlyDenied", async () => {
    const kms: PolicyStatement = { Effect: 'Allow', Action: 'kms:*', Resource: '*' };
    const tlsOnly: PolicyStatement = {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Resource: { 'Fn::GetAtt': ['Dlq', 'Arn'] },
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    expect(
      (await checkIam({ template: made([sendAllowed, kms], [tlsOnly]), resources, calls: [send] })).failures,
    ).toEqual([]);
    const denyAll: PolicyStatement = { ...tlsOnly, Condition: undefined };
    delete denyAll.Condition;
    expect(
      (await checkIam({ template: made([sendAllowed, kms], [denyAll]), resources, calls: [send] })).failures,
    ).toEqual([`sender: sqs:SendMessage on ${send.resource} is not allowed by its role (ExplicitlyDenied)`]);
  });

  it('an unclassified call, an unknown function or an unknown action fails the check too', async () => {
    const { failures } = await checkIam({
      template: made([sendAllowed]),
      resources,
      calls: [call('nobody', 'sqs:SendMessage', send.resource), call('sender', 'sqs:NoSuchAction', send.resource)],
      unclassified: [{ function: 'sender', operation: 's3:PATCH /x', problem: 'S3 PATCH /x is not classified' }],
    });
    expect(failures).toEqual([
      `nobody: sqs:SendMessage on ${send.resource} could not be evaluated: no such function in the template`,
      expect.stringMatching(
        /^sender: sqs:NoSuchAction on .* could not be evaluated: the simulator refused the request/,
      ),
      'sender: s3:PATCH /x could not be checked: S3 PATCH /x is not classified',
    ]);
  });
});
