/**
 * The DynamoDB adapters keep the table's contract, on DynamoDB Local; the in-memory table of the
 * fast loop passes the same cases (test/unit/support/in-memory/table.test.ts), so neither drifts.
 */
import { afterAll, beforeAll } from 'vitest';
import { createTableStore } from '../../../../lambdas/adapters/table.js';
import { tableContract } from '../../../support/contracts/table-contract.js';
import { createTestTable, type TestTable } from '../../../support/dynamodb.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('contract');
});
afterAll(() => table?.drop());

tableContract('DynamoDB Local', (now) =>
  createTableStore({ documentClient: table.documentClient, tableName: table.tableName, now }),
);
