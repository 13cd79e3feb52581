import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from './dynamodb.js';

export const freshTable = () => createTestTable('handlers');

/** Records the name of every write command sent through this client (reads are not counted). */
export function countRequests(client: DynamoDBDocumentClient): string[] {
  const writes: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      if (/Put|Update|Delete|Write|Transact/.test(name)) writes.push(name);
      return next(args);
    },
    { step: 'initialize', name: `countWrites-${Math.random()}` },
  );
  return writes;
}
