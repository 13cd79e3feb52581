import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../lib/app.js';
import { SendblueGroups, type SendblueGroupsProps } from '../../lib/sendblue-groups.js';

/** Skip esbuild bundling in unit tests (NodejsFunction then emits a placeholder asset). */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/**
 * The real app (lib/app.ts) without the slow parts: no bundling, no built-in WASM template
 * validation, and (unless asked) no cdk-nag plugin on synth, so a Template test stays well under 1 s.
 */
export function synthStack(context: Record<string, unknown> = {}, options: { nag?: boolean } = {}) {
  const { app, stack } = buildApp({
    nag: options.nag ?? false,
    appProps: { builtinCloudFormationValidation: false, context: { ...NO_BUNDLING, ...context } },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; [key: string]: any }>;

/** Resources of one type as [logicalId, resource] pairs. */
export function resourcesOfType(template: Template, type: string): [string, Resources[string]][] {
  const resources = template.toJSON().Resources as Resources;
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of the inline policies attached to roles whose logical id starts with the prefix. */
export function roleStatements(template: Template, roleLogicalIdPrefix: string): any[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      policy.Properties!.Roles.some((role: { Ref: string }) => role.Ref.startsWith(roleLogicalIdPrefix)),
    )
    .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement as any[]);
}

/** Statements by Sid (a statement a CDK grant added has none: `(no sid)`), with sorted actions. */
export const statementSummary = (statements: any[]) =>
  Object.fromEntries(
    statements.map((s) => [s.Sid ?? '(no sid)', { actions: asArray(s.Action).sort(), resources: asArray(s.Resource) }]),
  );

/** cdk-nag's AwsSolutions findings that are not acknowledged, as `rule @ construct path`. */
export function unacknowledgedFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath ?? '?'}`),
  );
}

/**
 * A consumer's own app and stack (`Consumer`) holding `new SendblueGroups(stack, 'Messaging', props)`
 * (lib/sendblue-groups.ts), without bundling or template validation, as the app tests use.
 * `extend` adds what the consumer adds (roles, grants, a second instance) before the template is read.
 */
export function synthConsumer(
  props: SendblueGroupsProps,
  extend: (stack: Stack, messaging: SendblueGroups) => void = () => {},
) {
  const app = new App({ builtinCloudFormationValidation: false, context: { ...NO_BUNDLING } });
  const stack = new Stack(app, 'Consumer');
  const messaging = new SendblueGroups(stack, 'Messaging', props);
  extend(stack, messaging);
  return { app, stack, messaging, template: Template.fromStack(stack) };
}

/**
 * Resources added since test/fixtures/stack-logical-ids.json was taken, by design (issue 19): the
 * contacts ledger, its two read routes and its failure-queue alarm. Every other id must match it.
 */
export const ADDED_SINCE_LOGICAL_ID_FIXTURE = /^(Contacts|HttpApiGetContacts|OperationsContacts)/;
