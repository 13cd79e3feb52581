import { type Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, type FunctionProps, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, type OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from '../bundling.js';
import { DEFAULTS } from '../defaults.js';
import { lambdaCodeSource } from '../lambda-code.js';
import { LOCK_FILE, PROJECT_ROOT, type HandlerName } from '../paths.js';
import { readablePath } from './naming.js';
import { HANDLER_TAG } from '../../lambdas/contract/stack.js';

export interface NodeFunctionProps {
  /**
   * Which handler runs (lambdas/handlers/<code>.ts, exporting `handler`): its prebuilt bundle in
   * the package, or bundled from source in this repository (lib/lambda-code.ts).
   */
  readonly code: HandlerName;
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
 * A Node.js 24 / arm64 Lambda whose code is a minified ESM bundle that includes the AWS SDK (it
 * loads faster than the runtime's copy): prebuilt in the package, or bundled by the local esbuild
 * (no Docker) from this repository's sources, with the same options and the same function
 * configuration either way (lib/lambda-code.ts). It gets its own log group with
 * retention and its own role whose only built-in right is writing to that log group: there is no
 * AWSLambdaBasicExecutionRole managed policy. Add the function's other rights with `addToRolePolicy`.
 */
export class NodeFunction extends Construct {
  /** A NodejsFunction when bundled from source, a plain Function on the prebuilt bundle. */
  readonly function: LambdaFunction;
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
      description: `Execution role of ${readablePath(this)}`,
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

    // Everything but the code: identical for both sources (test/unit/lib/lambda-code.test.ts).
    const configuration = {
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULTS.lambda.memorySize,
      timeout: props.timeout ?? DEFAULTS.lambda.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
    };
    const source = lambdaCodeSource(this, props.code);
    this.function =
      source.kind === 'prebuilt'
        ? new LambdaFunction(this, 'Handler', {
            ...configuration,
            code: Code.fromAsset(source.assetDir),
            handler: 'index.handler',
          })
        : this.fromSource(configuration, source.entry);
    // Names the handler in the template (the sandbox's bundles mode and verify:deploy find it so);
    // on the function's resource alone, not on what is added under it later (event source mappings).
    Tags.of(this.function.node.defaultChild!).add(HANDLER_TAG, props.code);
  }

  /** Bundled from this repository's TypeScript with the package build's esbuild options. */
  private fromSource(configuration: Omit<FunctionProps, 'code' | 'handler'>, entry: string): LambdaFunction {
    return new NodejsFunction(this, 'Handler', {
      ...configuration,
      entry,
      handler: 'handler',
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
  }

  /** Adds an explicit statement to the function's own role. */
  addToRolePolicy(statement: PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
