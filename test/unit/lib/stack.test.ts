import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../../lambdas/contract/env.js';
import { HANDLER_TAG } from '../../../lambdas/contract/stack.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../../lambdas/platform/http.js';
import { ROUTES, routeKey } from '../../../lambdas/contract/routes.js';
import { TABLE_SCHEMA } from '../../../lambdas/contract/table-schema.js';
import { ACCESS_LOG_FIELDS } from '../../../lib/constructs/http-api.js';
import { asArray, resourcesOfType, roleStatements, statementSummary, synthStack } from '../../support/cdk.js';

const { stack, template } = synthStack();
const logicalId = (fn: { node: { defaultChild?: unknown } }) => stack.getLogicalId(fn.node.defaultChild as CfnFunction);
const ingestId = logicalId(stack.ingest.function);
const readId = logicalId(stack.reads.function);
const senderId = logicalId(stack.sender.function.function);
const eventsId = logicalId(stack.events!.consumer.function.function);
const mediaId = logicalId(stack.media!.consumer.function.function);
const bucketArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.media!.bucket.node.defaultChild as never), 'Arn'] };
const backfillId = logicalId(stack.backfill.function.function);
const contactsId = logicalId(stack.contacts.consumer.function.function);
const tableRef = { 'Fn::GetAtt': [stack.getLogicalId(stack.table.node.defaultChild as never), 'Arn'] };

describe('table', () => {
  it('is the only table, built from TABLE_SCHEMA', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE_SCHEMA.groupTimelineIndex.name,
          KeySchema: [
            { AttributeName: TABLE_SCHEMA.groupTimelineIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_SCHEMA.groupTimelineIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: [...TABLE_SCHEMA.groupTimelineIndex.projectedAttributes],
          },
        },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
    });
  });

  it('is on-demand, encrypted with the AWS managed key, recoverable and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key id = KMS with the AWS managed aws/dynamodb key.
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    const [[, table]] = resourcesOfType(template, 'AWS::DynamoDB::Table') as [[string, any]];
    expect(table.Properties.SSESpecification.KMSMasterKeyId).toBeUndefined();
    expect(table.Properties.ProvisionedThroughput).toBeUndefined();
  });
});

describe('lambdas', () => {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');

  it('are exactly the ingest, read, sender, events, media, backfill and contacts functions', () => {
    expect(functions.map(([id]) => id).sort()).toEqual(
      [ingestId, readId, senderId, eventsId, mediaId, backfillId, contactsId].sort(),
    );
  });

  it.each(functions)('%s runs Node.js 24 on arm64 with explicit memory, timeout and its own log group', (id, fn) => {
    const props = fn.Properties!;
    expect(props.Runtime).toBe('nodejs24.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.MemorySize).toBeGreaterThanOrEqual(128);
    expect(props.Timeout).toBeGreaterThan(0);
    // API handlers stay below API Gateway's 30 s integration timeout (the others: sender.test.ts, events.test.ts, backfill.test.ts).
    if (id === ingestId || id === readId) expect(props.Timeout).toBeLessThan(30);
    expect(props.Handler).toBe('index.handler');
    expect(props.TracingConfig).toBeUndefined(); // no X-Ray cost
    // How bundles mode and verify:deploy find it (never by logical id); the sandbox-only media
    // switch is never set by the stack.
    expect(props.Tags).toContainEqual({
      Key: HANDLER_TAG,
      Value: expect.stringMatching(/^(ingest|read|sender|events|media|backfill|contacts)$/),
    });
    expect(props.Environment?.Variables?.[ENV.sandboxLoopbackMedia]).toBeUndefined();
    const logGroupId = props.LoggingConfig?.LogGroup?.Ref as string;
    expect(template.toJSON().Resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
  });

  it('every log group has a retention', () => {
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(8); // seven functions + API access logs
    for (const [, group] of groups) expect(group.Properties?.RetentionInDays).toBe(30);
  });

  it('ingest gets the table, the webhook secret and callback token ARNs and the body limit', () => {
    const env = template.toJSON().Resources[ingestId].Properties.Environment.Variables;
    expect(env).toEqual({
      [ENV.tableName]: { Ref: tableRef['Fn::GetAtt'][0] },
      [ENV.webhookSecretArn]: { Ref: 'WebhookSecret' },
      [ENV.callbackTokenSecretArn]: { Ref: 'StatusCallbackToken' },
      [ENV.maxBodyBytes]: String(DEFAULT_MAX_BODY_BYTES),
    });
  });

  it('read gets only the table name and the media bucket (to presign links)', () => {
    const env = template.toJSON().Resources[readId].Properties.Environment.Variables;
    expect(env).toEqual({
      [ENV.tableName]: { Ref: tableRef['Fn::GetAtt'][0] },
      [ENV.mediaBucketName]: { Ref: bucketArn['Fn::GetAtt'][0] },
    });
    const { template: noMedia, stack: plain } = synthStack({ media: false });
    const id = plain.getLogicalId(plain.reads.function.node.defaultChild as CfnFunction);
    expect(noMedia.toJSON().Resources[id].Properties.Environment.Variables).toEqual({
      [ENV.tableName]: { Ref: tableRef['Fn::GetAtt'][0] },
    });
  });

  it('takes maxBodyBytes and log retention from context', () => {
    const { template: custom, stack: customStack } = synthStack({ maxBodyBytes: '1024', logRetentionDays: 7 });
    const id = customStack.getLogicalId(customStack.ingest.function.node.defaultChild as CfnFunction);
    expect(custom.toJSON().Resources[id].Properties.Environment.Variables[ENV.maxBodyBytes]).toBe('1024');
    for (const [, group] of resourcesOfType(custom, 'AWS::Logs::LogGroup')) {
      expect(group.Properties?.RetentionInDays).toBe(7);
    }
  });
});

describe('IAM', () => {
  const statementsOf = (roleLogicalIdPrefix: string) => roleStatements(template, roleLogicalIdPrefix);
  const summary = statementSummary;

  it("only the seven function roles and the backfill schedule's role exist, with no managed policies", () => {
    const roles = resourcesOfType(template, 'AWS::IAM::Role');
    expect(roles).toHaveLength(8);
    for (const [, role] of roles) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    const schedulerRoleId = stack.getLogicalId(stack.backfill.schedulerRole!.node.defaultChild as never);
    for (const [, role] of roles.filter(([id]) => id !== schedulerRoleId)) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties?.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  it('ingest may only write the table, read the webhook secret and the callback token, and write its own logs', () => {
    const logGroupId = stack.getLogicalId(stack.ingest.logGroup.node.defaultChild as never);
    expect(summary(statementsOf('IngestFunction'))).toEqual({
      WriteOwnLogs: {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }],
      },
      WriteEvents: { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [tableRef] },
      ReadWebhookAuthSecrets: {
        actions: ['secretsmanager:GetSecretValue'],
        resources: [{ Ref: 'WebhookSecret' }, { Ref: 'StatusCallbackToken' }],
      },
    });
  });

  it("read may only get and query the table and GSI1, batch-get a page's reactions, read media copies (to presign links), and write its own logs", () => {
    const logGroupId = stack.getLogicalId(stack.reads.logGroup.node.defaultChild as never);
    expect(summary(statementsOf('ReadFunction'))).toEqual({
      WriteOwnLogs: {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }],
      },
      ReadEvents: {
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [tableRef, { 'Fn::Join': ['', [tableRef, `/index/${TABLE_SCHEMA.groupTimelineIndex.name}`]] }],
      },
      ReadPageReactions: { actions: ['dynamodb:BatchGetItem'], resources: [tableRef] },
      PresignMediaLinks: { actions: ['s3:GetObject'], resources: [{ 'Fn::Join': ['', [bucketArn, '/media/*']] }] },
    });
  });

  it('no statement allows a wildcard action, none denies by accident, and the only wildcard resources are the acknowledged ones', () => {
    const wildcards: string[] = [];
    for (const [, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties!.PolicyDocument.Statement) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
        if (JSON.stringify(statement.Resource).includes('*'))
          wildcards.push(
            `${policy.Properties!.Roles[0].Ref.replace(/Function.*/, '')} ${statement.Sid} ${JSON.stringify(statement.Resource)}`,
          );
      }
    }
    // ListStreams has no resource-level permission; objects are keyed per message under media/.
    const objects = JSON.stringify({ 'Fn::Join': ['', [bucketArn, '/media/*']] });
    expect(wildcards.sort()).toEqual([
      'ContactsProjector ListTableStreams "*"',
      'EventsPublisher ListTableStreams "*"',
      'MediaCopier ListTableStreams "*"',
      `MediaCopier PutMediaCopies ${objects}`,
      `Read PresignMediaLinks ${objects}`,
    ]);
  });

  it('each Lambda permission is scoped to this API and one route', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(ROUTES.length);
    for (const [, permission] of permissions) {
      expect(permission.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
      expect(JSON.stringify(permission.Properties!.SourceArn)).toContain(
        stack.getLogicalId(stack.api.httpApi.node.defaultChild as never),
      );
    }
  });
});

describe('HTTP API', () => {
  const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
  const integrations = Object.fromEntries(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration'));

  it('is a regional HTTP API with the default execute-api endpoint', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', Name: 'SendblueGroups' });
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  });

  it('has exactly the routes of ROUTES', () => {
    expect(routes.map(([, route]) => route.Properties!.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(ROUTES.map((route) => [routeKey(route), route] as const))(
    '%s: authorization and target',
    (key, definition) => {
      const [, route] = routes.find(([, r]) => r.Properties!.RouteKey === key)!;
      expect(route.Properties!.AuthorizationType).toBe(definition.auth === 'iam' ? 'AWS_IAM' : 'NONE');
      const integrationId = route.Properties!.Target['Fn::Join'][1][1].Ref as string;
      const integration = integrations[integrationId]!.Properties!;
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      expect(integration.PayloadFormatVersion).toBe('2.0');
      expect(integration.IntegrationUri).toEqual({
        'Fn::GetAtt': [definition.target === 'ingest' ? ingestId : readId, 'Arn'],
      });
    },
  );

  it('IAM guards every read route except /health; webhooks are open at the gateway', () => {
    for (const [, route] of routes) {
      const [method, path] = route.Properties!.RouteKey.split(' ');
      const expected = path === '/health' || path.startsWith('/webhooks/') ? 'NONE' : 'AWS_IAM';
      expect(route.Properties!.AuthorizationType, `${method} ${path}`).toBe(expected);
    }
  });

  it('has one auto-deployed $default stage, throttled', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('takes throttling from context', () => {
    const { template: custom } = synthStack({ throttleRateLimit: '10', throttleBurstLimit: 20 });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
  });

  it('writes JSON access logs with request metadata only (no query string, header, token or identity secret)', () => {
    const [[, stage]] = resourcesOfType(template, 'AWS::ApiGatewayV2::Stage') as [[string, any]];
    const settings = stage.Properties.AccessLogSettings;
    const logGroupId = stack.getLogicalId(stack.api.accessLogGroup.node.defaultChild as never);
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(Object.keys(format).sort()).toEqual(
      [
        'requestId',
        'sourceIp',
        'requestTime',
        'httpMethod',
        'routeKey',
        'path',
        'status',
        'protocol',
        'responseLength',
        'integrationLatency',
        'integrationErrorMessage',
      ].sort(),
    );
    const variables = Object.values(format).join(' ');
    expect(variables).not.toMatch(
      /querystring|query|header|authorizer|token|accessKey|caller|user|cognito|principal|apiKey|requestOverride|responseOverride/i,
    );
    for (const variable of Object.values(format)) {
      if (variable.startsWith('$context.identity.')) expect(variable).toBe('$context.identity.sourceIp');
    }
  });
});

describe('secrets', () => {
  it('ApiCredentials is a placeholder with empty values (no real secret in the template)', () => {
    const secret = template.toJSON().Resources.ApiCredentials;
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(JSON.parse(secret.Properties.SecretString)).toEqual({ apiKeyId: '', apiSecretKey: '' });
    expect(secret.Properties.GenerateSecretString).toBeUndefined();
  });

  it('WebhookSecret is generated at deploy time: 48 letters and digits', () => {
    const secret = template.toJSON().Resources.WebhookSecret;
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
  });

  it('StatusCallbackToken is generated at deploy time: 48 letters and digits (safe in a URL query)', () => {
    const secret = template.toJSON().Resources.StatusCallbackToken;
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
  });

  it('all three use the default aws/secretsmanager key', () => {
    for (const [, secret] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
      expect(secret.Properties?.KmsKeyId).toBeUndefined();
    }
    expect(
      resourcesOfType(template, 'AWS::SecretsManager::Secret')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['ApiCredentials', 'StatusCallbackToken', 'WebhookSecret']);
  });
});

describe('outputs', () => {
  it('has exactly the documented outputs', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      [
        'ApiUrl',
        'ReceiveWebhookUrl',
        'StatusWebhookUrl',
        'CommandQueueUrl',
        'DeadLetterQueueUrl',
        'TableName',
        'ApiCredentialsSecretArn',
        'WebhookSecretArn',
        'SendblueBaseUrl',
        'EventBusName',
        'EventBusArn',
        'MediaBucketName',
        'BackfillFunctionName',
        'AlarmTopicArn',
      ].sort(),
    );
  });

  it('webhook URLs are the API URL plus the webhook paths', () => {
    const apiId = stack.getLogicalId(stack.api.httpApi.node.defaultChild as never);
    const endpoint = { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] };
    template.hasOutput('ApiUrl', { Value: endpoint });
    template.hasOutput('ReceiveWebhookUrl', { Value: { 'Fn::Join': ['', [endpoint, '/webhooks/receive']] } });
    template.hasOutput('StatusWebhookUrl', { Value: { 'Fn::Join': ['', [endpoint, '/webhooks/status']] } });
    template.hasOutput('TableName', { Value: { Ref: tableRef['Fn::GetAtt'][0] } });
    template.hasOutput('ApiCredentialsSecretArn', { Value: { Ref: 'ApiCredentials' } });
    template.hasOutput('WebhookSecretArn', { Value: { Ref: 'WebhookSecret' } });
  });

  it('SendblueBaseUrl is the API the sender calls (cli setup registers the webhooks there)', () => {
    template.hasOutput('SendblueBaseUrl', { Value: 'https://api.sendblue.co' });
    expect(
      synthStack({ sendblueBaseUrl: 'https://sendblue-proxy.example.com' }).template.toJSON().Outputs.SendblueBaseUrl
        .Value,
    ).toBe('https://sendblue-proxy.example.com');
  });
});

describe('app', () => {
  it('names the stack from context', () => {
    expect(stack.stackName).toBe('SendblueGroups');
    expect(synthStack({ stackName: 'GroupsDev' }).stack.stackName).toBe('GroupsDev');
  });

  it('warns while fromNumber is the placeholder, not once it is set', () => {
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('fromNumber is the placeholder'));
    const { stack: configured } = synthStack({ fromNumber: '+14155550123' });
    Annotations.fromStack(configured).hasNoWarning('*', Match.stringLikeRegexp('fromNumber is the placeholder'));
  });

  it('rejects a bad fromNumber before building anything', () => {
    expect(() => synthStack({ fromNumber: '555-0100' })).toThrow(/fromNumber must be an E\.164 phone number/);
  });
});
