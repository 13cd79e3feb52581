import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * Builds DynamoDB update expressions from plain objects. Each attribute `x` is addressed as `#x`
 * with value `:x`, so condition expressions can refer to the same placeholders. Undefined values
 * are left out, which is how "absent in the payload" stays absent in the table.
 */
export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

export interface UpdateSpec {
  set?: Record<string, unknown>;
  setIfNotExists?: Record<string, unknown>;
  /** Attributes raised by the given amount, starting from 0 when absent. */
  increment?: Record<string, number>;
  remove?: string[];
}

export function buildUpdate(spec: UpdateSpec): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses: string[] = [];
  for (const [name, value] of Object.entries(spec.set ?? {})) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    clauses.push(`#${name} = :${name}`);
  }
  for (const [name, value] of Object.entries(spec.setIfNotExists ?? {})) {
    if (value === undefined || names[`#${name}`]) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    clauses.push(`#${name} = if_not_exists(#${name}, :${name})`);
  }
  for (const [name, by] of Object.entries(spec.increment ?? {})) {
    names[`#${name}`] = name;
    values[`:${name}`] = by;
    values[':zero'] = 0;
    clauses.push(`#${name} = if_not_exists(#${name}, :zero) + :${name}`);
  }
  const removed = (spec.remove ?? []).filter((name) => !names[`#${name}`]);
  for (const name of removed) names[`#${name}`] = name;
  return {
    UpdateExpression: [
      clauses.length ? `SET ${clauses.join(', ')}` : '',
      removed.length ? `REMOVE ${removed.map((name) => `#${name}`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The item a failed condition saw (ReturnValuesOnConditionCheckFailure: ALL_OLD). The document
 * client does not unmarshall errors, so the item arrives in DynamoDB's typed form.
 */
export function conditionFailureItem<T>(error: unknown): T | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> } | null)?.Item;
  return item ? (unmarshall(item) as T) : undefined;
}

export function isConditionalFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * A write whose condition decides whether it happens: true when written, false when the condition
 * failed (nothing changed, which is an answer, not an error); any other error is thrown.
 */
export async function writeIfCondition(
  db: DynamoDBDocumentClient,
  command: UpdateCommand | PutCommand,
): Promise<boolean> {
  try {
    // Two calls, so each command keeps its own input and output types.
    if (command instanceof PutCommand) await db.send(command);
    else await db.send(command);
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}
