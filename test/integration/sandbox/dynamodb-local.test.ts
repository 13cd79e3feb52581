/** DynamoDB Local lifecycle and table creation, against real Java processes. */
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE_SCHEMA } from '../../../lambdas/contract/table-schema.js';
import { ensureTable } from '../../../sandbox/create-table.js';
import { JAVA_REQUIRED_MESSAGE, startDynamoDbLocal } from '../../../sandbox/dynamodb-local.js';
import { findFreePort, isPortFree } from '../../../sandbox/ports.js';
import { trackedChildren } from '../../../sandbox/processes.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { dynamoDbLocalPids, isAlive, waitFor } from '../../support/processes.js';

describe('startDynamoDbLocal', () => {
  it('refuses a port that is taken, naming SANDBOX_DYNAMODB_PORT, without starting Java', async () => {
    const port = await findFreePort();
    const blocker: Server = await new Promise((resolve) => {
      const server = createServer().listen(port, '127.0.0.1', () => resolve(server));
    });
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(
        `Port ${port} is already in use, so DynamoDB Local cannot start there. Stop what uses it, or pick another port with SANDBOX_DYNAMODB_PORT=<port>.`,
      );
      expect(dynamoDbLocalPids(port)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('says Java 17+ is needed when there is no java on the PATH', async () => {
    const port = await findFreePort();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(JAVA_REQUIRED_MESSAGE);
    } finally {
      process.env.PATH = path;
    }
  });

  it('starts in memory, and stop() kills the Java process and frees the port', async () => {
    const port = await findFreePort();
    const dynamo = await startDynamoDbLocal({ port });
    try {
      expect(dynamo.endpoint).toBe(`http://127.0.0.1:${port}`);
      expect(isAlive(dynamo.pid)).toBe(true);
      expect(dynamoDbLocalPids(port)).toEqual([dynamo.pid]);
      expect(trackedChildren()).toContainEqual({ pid: dynamo.pid, name: `DynamoDB Local :${port}` });
      // Telemetry is off: Java runs with DDB_LOCAL_TELEMETRY=0 (Linux shows a process's environment in /proc).
      expect(readFileSync(`/proc/${dynamo.pid}/environ`, 'utf8').split('\0')).toContain('DDB_LOCAL_TELEMETRY=0');
    } finally {
      await dynamo.stop();
    }
    expect(isAlive(dynamo.pid)).toBe(false);
    expect(dynamoDbLocalPids(port)).toEqual([]);
    expect(trackedChildren().map((child) => child.pid)).not.toContain(dynamo.pid);
    expect(await isPortFree(port)).toBe(true);
    await dynamo.stop(); // a second stop is harmless
  });

  it("listens on 127.0.0.1 only, not on the machine's other addresses", async () => {
    const port = await findFreePort();
    const dynamo = await startDynamoDbLocal({ port });
    try {
      expect(dynamo).toMatchObject({ loopbackOnly: true, exposure: undefined });
      expect(await connects('127.0.0.1', port)).toBe(true);
      // The machine's own addresses, and 127.0.0.2: on Linux the whole 127/8 reaches this machine, so a
      // server on every interface answers there too, while one bound to 127.0.0.1 does not.
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((info) => info && !info.internal && info.family === 'IPv4')
        .map((info) => info!.address);
      for (const address of [...others, '127.0.0.2']) expect(await connects(address, port), address).toBe(false);
    } finally {
      await dynamo.stop();
    }
  });

  it('reports an exit it did not ask for, once, and not the exit stop() asks for', async () => {
    const first = await startDynamoDbLocal({ port: await findFreePort() });
    const seen: string[] = [];
    first.onUnexpectedExit((how) => seen.push(how));
    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => seen.length > 0, 5_000, 'the exit to be reported');
    expect(seen).toEqual(['signal SIGKILL']);
    first.onUnexpectedExit((how) => seen.push(`late listener: ${how}`)); // registered after the exit: told at once
    expect(seen).toEqual(['signal SIGKILL', 'late listener: signal SIGKILL']);

    const second = await startDynamoDbLocal({ port: await findFreePort() });
    second.onUnexpectedExit((how) => seen.push(`second: ${how}`));
    await second.stop();
    expect(seen).toHaveLength(2);
  });
});

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('ensureTable', () => {
  let table: TestTable;
  afterAll(() => table?.drop());

  it('creates the table from TABLE_SCHEMA: keys, GSI1 with the timeline attributes projected (INCLUDE), on-demand, TTL', async () => {
    table = await createTestTable('ensure');
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    const gsi = TABLE_SCHEMA.groupTimelineIndex;
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes).toHaveLength(1);
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: gsi.name,
      KeySchema: [
        { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gsi.projectedAttributes] },
    });
    const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: TABLE_SCHEMA.ttlAttribute,
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('is idempotent: an existing table with the same keys is accepted', async () => {
    await expect(ensureTable(table.client, table.tableName)).resolves.toEqual({ created: false });
  });
});
