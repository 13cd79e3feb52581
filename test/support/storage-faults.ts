/**
 * Injected DynamoDB faults (DynamoDB Local has no fault mode, so this is the one stand-in): a
 * middleware on the handlers' own document client that, with a seeded probability, fails a
 * request either before it reaches DynamoDB (nothing written) or after (written, but the caller
 * is told it failed: the ambiguous case a timeout produces in AWS).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seededRandom } from '../../sandbox/sendblue-simulator/faults.js';

export interface StorageFaults {
  /** Faults happen only while on. */
  on: boolean;
  injected: { before: number; after: number };
}

export function injectStorageFaults(
  client: DynamoDBDocumentClient,
  options: { seed: number; rate: number },
): StorageFaults {
  const random = seededRandom(options.seed);
  const faults: StorageFaults = { on: false, injected: { before: 0, after: 0 } };
  const fail = () =>
    Object.assign(new Error('injected storage fault'), { name: 'InternalServerError', $fault: 'server' });
  client.middlewareStack.add(
    (next) => async (args) => {
      if (!faults.on || random() >= options.rate) return next(args);
      if (random() < 0.5) {
        faults.injected.before += 1;
        throw fail();
      }
      await next(args);
      faults.injected.after += 1;
      throw fail();
    },
    { step: 'initialize', name: `storageFaults-${options.seed}` },
  );
  return faults;
}
