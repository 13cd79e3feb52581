/** The in-memory table keeps the table's contract (the same cases run on DynamoDB Local: test/integration/lambdas/adapters/table-store.test.ts). */
import { tableContract } from '../../../support/contracts/table-contract.js';
import { createInMemoryTable } from '../../../support/in-memory/table.js';

tableContract('in memory', (now) => createInMemoryTable({ now }));
