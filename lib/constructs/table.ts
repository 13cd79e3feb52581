import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type AttributeType,
  BillingMode,
  type ProjectionType,
  type StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../lambdas/contract/table-schema.js';

// CDK's enums hold DynamoDB's own strings ('S', 'ALL'), so the shared schema maps onto them directly.
const KEY_TYPE = TABLE_SCHEMA.keyAttributeType as AttributeType;

export interface SendblueGroupsTableProps {
  /**
   * What happens to the table when the stack is deleted or the table replaced.
   * Conversations are user data: keep them unless you know better.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Whether DynamoDB refuses to delete the table.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Whether the table has its change stream (TABLE_SCHEMA.stream: new and old images), which the
   * events and media Lambdas read. A stream costs nothing by itself; Lambda's reads of it are free.
   * @default true
   */
  readonly stream?: boolean;
}

/**
 * The one DynamoDB table, built from TABLE_SCHEMA (lambdas/contract/table-schema.ts), the same
 * definition the sandbox uses. On-demand, point-in-time recovery, TTL on `TABLE_SCHEMA.ttlAttribute`,
 * and encryption with the AWS managed key `aws/dynamodb` (its use shows in CloudTrail; no key
 * policy to manage and no monthly key fee, unlike a customer managed key).
 */
export class SendblueGroupsTable extends Table {
  /** ARN of the group timeline index (GSI1), for index-scoped IAM statements. */
  readonly groupTimelineIndexArn: string;

  constructor(scope: Construct, id: string, props: SendblueGroupsTableProps = {}) {
    super(scope, id, {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: KEY_TYPE },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: KEY_TYPE },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      stream: props.stream === false ? undefined : (TABLE_SCHEMA.stream.viewType as StreamViewType),
    });

    const index = TABLE_SCHEMA.groupTimelineIndex;
    this.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: KEY_TYPE },
      sortKey: { name: index.sortKey, type: KEY_TYPE },
      projectionType: index.projection as ProjectionType,
      nonKeyAttributes: [...index.projectedAttributes],
    });
    this.groupTimelineIndexArn = `${this.tableArn}/index/${index.name}`;
  }
}
