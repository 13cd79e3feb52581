import { type Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import path from 'node:path';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, type OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from '../bundling.js';
import { DEFAULTS } from '../defaults.js';
import { LOCK_FILE, PROJECT_ROOT } from '../paths.js';
import { HANDLER_TAG } from '../../lambdas/contract/stack.js';

export interface NodeFunctionProps {
  /** Absolute path of the TypeScript entry file (in lambdas/handlers/). */
  readonly entry: string;
  /**
   * Exported handler name.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Memory in MB (also buys CPU, which shortens cold starts).
   * @default DEFAULTS.lambda.memorySize (256)
   */
  readonly memorySize?: number;
  /**
   * Function timeout.
   * @default DEFAULTS.lambda.timeout (10 seconds)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's log group.
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
  /**
   * Environment variables (names from lambdas/contract/env.ts).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Description shown in the Lambda console.
   * @default - none
   */
  readonly description?: string;
}

/**
 * A Node.js 24 / arm64 Lambda bundled by the local esbuild (no Docker) as a minified ESM file that
 * includes the AWS SDK (it loads faster than the runtime's copy). It gets its own log group with
 * retention and its own role whose only built-in right is writing to that log group: there is no
 * AWSLambdaBasicExecutionRole managed policy. Add the function's other rights with `addToRolePolicy`.
 */
export class NodeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? DEFAULTS.logRetention,
      // Operational logs only (no audit value): removed with the stack, unlike the data table.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's Arn attribute ends in ':*', which covers exactly its log streams.
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Handler', {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULTS.lambda.memorySize,
      timeout: props.timeout ?? DEFAULTS.lambda.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: LOCK_FILE,
      bundling: {
        forceDockerBundling: false,
        // The options themselves live in lib/bundling.ts, shared with the benchmarks.
        format: LAMBDA_BUNDLING.format as OutputFormat, // 'esm': OutputFormat's values are esbuild's
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        banner: LAMBDA_BUNDLING.banner,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourceMap,
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        logLevel: LogLevel.WARNING,
      },
    });
    // Names the handler in the template (the sandbox's bundles mode and verify:deploy find it so);
    // on the function's resource alone, not on what is added under it later (event source mappings).
    Tags.of(this.function.node.defaultChild!).add(HANDLER_TAG, path.basename(props.entry).replace(/\.[cm]?[jt]s$/, ''));
  }

  /** Adds an explicit statement to the function's own role. */
  addToRolePolicy(statement: PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
