/**
 * grantSend and grantRead give exactly what a producer and a reader need, and a consumer stack
 * with cdk-nag's AwsSolutions pack, the construct and both grants synthesizes clean: the
 * construct's acknowledgements travel with it, and grantRead's are the very findings cdk-nag
 * raises for its path-parameter wildcards (checked against cdk-nag itself, acknowledgements off).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../lambdas/contract/routes.js';
import { nagResourceId } from '../../../lib/constructs/nag-ids.js';
import { SendblueGroups } from '../../../lib/sendblue-groups.js';
import { asArray, NO_BUNDLING, roleStatements, synthConsumer, unacknowledgedFindings } from '../../support/cdk.js';

const FROM = '+14155550100';
const lambdaPrincipal = new ServicePrincipal('lambda.amazonaws.com');

function withGrants() {
  let producer!: Role;
  let reader!: Role;
  const synth = synthConsumer({ fromNumber: FROM }, (stack, messaging) => {
    producer = new Role(stack, 'Producer', { assumedBy: lambdaPrincipal });
    reader = new Role(stack, 'Reader', { assumedBy: lambdaPrincipal });
    messaging.grantSend(producer);
    messaging.grantRead(reader);
  });
  return { ...synth, producer, reader };
}

/** Every finding of the pack on `scope`, acknowledged or not (`rule @ path`). */
function rawFindings(scope: IConstruct): string[] {
  const pack = new AwsSolutionsChecks();
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`),
    );
}

/** The acknowledgements attached to one construct, by rule id. */
const acknowledgedOn = (construct: IConstruct): string[] =>
  construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
    .map((id) => id.replace(/^annotation::/i, ''));

const IAM_ROUTES = ROUTES.filter((route) => route.auth === 'iam');
const WILDCARD_ROUTES = IAM_ROUTES.filter((route) => route.path.includes('{'));

describe('grantSend', () => {
  const { stack, messaging, template, producer } = withGrants();

  it('is sqs:SendMessage on the command queue, nothing else', () => {
    const statements = roleStatements(template, stack.getLogicalId(producer.node.defaultChild as never));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: stack.resolve(messaging.commandQueue.queueArn),
      },
    ]);
  });

  it('needs no KMS statement: the queue is encrypted with SSE-SQS, not a KMS key', () => {
    const queue = template.toJSON().Resources[stack.getLogicalId(messaging.commandQueue.node.defaultChild as never)];
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.KmsMasterKeyId).toBeUndefined();
  });
});

describe('grantRead', () => {
  const { app, stack, messaging, template, reader } = withGrants();
  const statements = roleStatements(template, stack.getLogicalId(reader.node.defaultChild as never));

  it('is execute-api:Invoke on the IAM routes of this API only, each path parameter a *', () => {
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement.Action).toBe('execute-api:Invoke');
    const apiId = stack.getLogicalId(messaging.httpApi.node.defaultChild as never);
    expect(asArray(statement.Resource).map((resource) => nagResourceId(stack, resource))).toEqual(
      IAM_ROUTES.map(
        (route) =>
          `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/$default/GET${route.path.replace(/\{[^}]+\}/g, '*')}`,
      ),
    );
    // Six read routes; the webhooks and /health are not IAM routes and are not granted.
    expect(IAM_ROUTES.map((route) => route.path)).toEqual([
      '/groups/{group_id}',
      '/groups/{group_id}/messages',
      '/messages/{message_handle}',
      '/commands/{command_id}',
      '/contacts/{number}',
      '/contacts',
    ]);
  });

  it("acknowledges exactly cdk-nag's own findings for those wildcards, on the grantee", () => {
    const raw = rawFindings(app).filter((finding) => finding.includes('/Reader/'));
    const acknowledged = acknowledgedOn(reader);
    // One finding per wildcard: a route without a path parameter (/contacts) has none.
    expect(raw.length).toBe(WILDCARD_ROUTES.length);
    expect(raw.map((finding) => finding.replace(/ @ .*/, '')).sort()).toEqual([...acknowledged].sort());
  });
});

describe('cdk-nag in a consumer stack', () => {
  it('finds nothing unacknowledged: the construct with both grants', () => {
    const { app } = withGrants();
    expect(unacknowledgedFindings(app)).toEqual([]);
  });

  it('synthesizes with the AwsSolutions plugin registered (findings would fail it)', () => {
    const { app } = withGrants();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('still flags a wildcard the construct did not grant (the acknowledgements are granular)', () => {
    const { app, stack, reader } = withGrants();
    reader.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(unacknowledgedFindings(app)).toEqual([
      `AwsSolutions-IAM5[Resource::*] @ ${stack.stackName}/Reader/DefaultPolicy/Resource`,
    ]);
  });

  it('a grantee in another stack gets the grant but no acknowledgement (its stack names the API by import)', () => {
    const app = new App({ builtinCloudFormationValidation: false, context: { ...NO_BUNDLING } });
    const messaging = new SendblueGroups(new Stack(app, 'Messaging'), 'Messaging', { fromNumber: FROM });
    const other = new Role(new Stack(app, 'Other'), 'Reader', { assumedBy: lambdaPrincipal });
    messaging.grantRead(other);
    expect(acknowledgedOn(other)).toEqual([]);
    expect(unacknowledgedFindings(app).filter((finding) => finding.startsWith('AwsSolutions-IAM5'))).toHaveLength(
      WILDCARD_ROUTES.length,
    );
  });
});
