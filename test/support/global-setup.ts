/**
 * Vitest globalSetup: starts ONE DynamoDB Local for the whole run on a free port and hands its
 * endpoint to the tests (`inject('dynamoDbEndpoint')`, see ./dynamodb.ts). It is stopped in
 * teardown; if setup fails half-way it is stopped here, and the process registry kills it if
 * vitest itself dies.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../sandbox/dynamodb-local.js';
import { findFreePort } from '../../sandbox/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoDbLocal({ port: await findFreePort() });
  try {
    project.provide('dynamoDbEndpoint', dynamo.endpoint);
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  return () => dynamo.stop();
}
