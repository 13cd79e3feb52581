import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from './config.js';
import { SendblueGroupsStack } from './sendblue-groups-stack.js';

export interface BuildAppOptions {
  /** Passed to `new App()` (tests turn off bundling and the built-in template validation). */
  readonly appProps?: AppProps;
  /**
   * Run cdk-nag (AwsSolutions) as a validation plugin on synth.
   * @default true
   */
  readonly nag?: boolean;
}

/** The CDK app: config from context, the stack, and cdk-nag on every synth (findings fail it). */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: SendblueGroupsStack } {
  const app = new App(options.appProps);
  const config = parseConfig((key) => app.node.tryGetContext(key));
  const stack = new SendblueGroupsStack(app, config.stackName, {
    stackName: config.stackName,
    description: 'sendblue-groups: Sendblue group messaging (webhooks, DynamoDB, read API)',
    config,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
