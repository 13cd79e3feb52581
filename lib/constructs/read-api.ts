import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/env.js';
import { NodeFunction } from './node-function.js';
import type { SendblueGroupsTable } from './table.js';

export interface ReadApiProps {
  /** The table the read routes read. */
  readonly table: SendblueGroupsTable;
  /**
   * Retention of the function's log group.
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The read Lambda behind the IAM-authorized read routes and /health (lambdas/handlers/read.ts).
 * Its role allows exactly: GetItem and Query on the table and the group timeline index. When the
 * stack keeps media, MediaArchive.allowLinks adds presigning links to the copies.
 */
export class ReadApi extends NodeFunction {
  constructor(scope: Construct, id: string, props: ReadApiProps) {
    const { table } = props;
    super(scope, id, {
      code: 'read',
      description: 'Read routes: groups, messages, commands, health',
      logRetention: props.logRetention,
      environment: {
        [ENV.tableName]: table.tableName,
      },
    });
    this.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadEvents',
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [table.tableArn, table.groupTimelineIndexArn],
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        // A timeline page's reactions, beside it (GSI1 does not project them: docs/table-design.md).
        sid: 'ReadPageReactions',
        effect: Effect.ALLOW,
        actions: ['dynamodb:BatchGetItem'],
        resources: [table.tableArn],
      }),
    );
  }
}
