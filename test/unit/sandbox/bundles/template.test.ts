// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax is ${...} in plain strings
/**
 * Reading a synthesized template without aws-cdk-lib: intrinsics resolved against chosen values,
 * the stack's functions found by their tag (never by logical id), a role's policies.
 */
import { describe, expect, it } from 'vitest';
import { HANDLER_TAG } from '../../../../lambdas/contract/stack.js';
import {
  type CfnTemplate,
  type IntrinsicContext,
  resolveIntrinsics,
  rolePolicies,
  templateFunctions,
  UnresolvableError,
} from '../../../../sandbox/bundles/template.js';

const context: IntrinsicContext = {
  ref: (id) => `ref:${id}`,
  getAtt: (id, attribute) => `att:${id}.${attribute}`,
  pseudo: { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000', 'AWS::Partition': 'aws' },
};

describe('resolveIntrinsics', () => {
  it('resolves Ref, Fn::GetAtt (both forms), Fn::Join, Fn::Select, Fn::Split and pseudo parameters, deep inside', () => {
    const value = {
      Plain: 'text',
      List: [{ Ref: 'Table' }, { 'Fn::GetAtt': ['Queue', 'Arn'] }, { 'Fn::GetAtt': 'Bus.Arn' }],
      Joined: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/', { Ref: 'AWS::Region' }]] },
      Selected: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] },
    };
    expect(resolveIntrinsics(value, context)).toEqual({
      Plain: 'text',
      List: ['ref:Table', 'att:Queue.Arn', 'att:Bus.Arn'],
      Joined: 'att:Table.Arn/index/us-east-1',
      Selected: 'b',
    });
  });

  it('resolves Fn::Sub with its own variables, resources, attributes, pseudo parameters and ${!literal}', () => {
    const sub = {
      'Fn::Sub': [
        'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Name} ${Queue} ${Queue.Arn} ${!Kept}',
        { Name: { Ref: 'Other' } },
      ],
    };
    expect(resolveIntrinsics(sub, context)).toBe(
      'arn:aws:sqs:us-east-1:000000000000:ref:Other ref:Queue att:Queue.Arn ${Kept}',
    );
    expect(resolveIntrinsics({ 'Fn::Sub': '${Table.StreamArn}' }, context)).toBe('att:Table.StreamArn');
  });

  it('refuses what it does not resolve, naming it', () => {
    expect(() => resolveIntrinsics({ 'Fn::If': ['Cond', 'a', 'b'] }, context)).toThrow(UnresolvableError);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, context)).toThrow(
      'Fn::ImportValue is not resolved here',
    );
    expect(() => resolveIntrinsics({ Ref: 'AWS::NotificationARNs' }, context)).toThrow('AWS::NotificationARNs');
  });
});

const fn = (name: string | undefined, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    Handler: 'index.handler',
    Role: { 'Fn::GetAtt': [`${name ?? 'Other'}Role`, 'Arn'] },
    Environment: { Variables: { TABLE_NAME: { Ref: 'Table' } } },
    ...(name
      ? {
          Tags: [
            { Key: 'other', Value: 'x' },
            { Key: HANDLER_TAG, Value: name },
          ],
        }
      : {}),
    ...extra,
  },
  Metadata: { 'aws:asset:path': `asset.${name ?? 'other'}` },
});

describe('templateFunctions', () => {
  it('finds the tagged functions with their bundle, environment, role and settings; CDK helpers without the tag are left out', () => {
    const template: CfnTemplate = {
      Resources: {
        AnyIdAtAll: fn('sender', { Timeout: 30, MemorySize: 512 }),
        CustomResourceProvider: fn(undefined),
        SomethingElse: fn('read'),
      },
    };
    expect(templateFunctions(template)).toEqual([
      {
        name: 'sender',
        logicalId: 'AnyIdAtAll',
        handler: 'index.handler',
        assetPath: 'asset.sender',
        environment: { TABLE_NAME: { Ref: 'Table' } },
        roleLogicalId: 'senderRole',
        timeoutSeconds: 30,
        memorySize: 512,
      },
      expect.objectContaining({ name: 'read', logicalId: 'SomethingElse', timeoutSeconds: 3, memorySize: 128 }),
    ]);
  });

  it('refuses two functions with the same tag', () => {
    expect(() => templateFunctions({ Resources: { A: fn('sender'), B: fn('sender') } })).toThrow(
      `Two functions in the template carry ${HANDLER_TAG}=sender`,
    );
  });
});

describe('rolePolicies', () => {
  it("gives the role's inline policies and the AWS::IAM::Policy resources attached to it, and its managed policy ARNs", () => {
    const statement = { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' };
    const template: CfnTemplate = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [{ PolicyName: 'Inline', PolicyDocument: { Statement: [statement] } }],
            ManagedPolicyArns: ['arn:aws:iam::aws:policy/Managed'],
          },
        },
        Attached: {
          Type: 'AWS::IAM::Policy',
          Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [] } },
        },
        ElsewhereAttached: {
          Type: 'AWS::IAM::Policy',
          Properties: { Roles: [{ Ref: 'OtherRole' }], PolicyDocument: { Statement: [] } },
        },
      },
    };
    const { policies, managedPolicyArns } = rolePolicies(template, 'Role');
    expect(policies.map((policy) => policy.name)).toEqual(['Role/Inline', 'Attached']);
    expect(policies[0]!.document.Statement).toEqual([statement]);
    expect(managedPolicyArns).toEqual(['arn:aws:iam::aws:policy/Managed']);
    expect(() => rolePolicies(template, 'Attached')).toThrow('Attached is not an AWS::IAM::Role');
  });
});
