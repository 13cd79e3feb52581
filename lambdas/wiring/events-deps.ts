import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ENV, requireEnv } from '../contract/env.js';
import { createEventBridgePublisher } from '../adapters/event-publisher.js';
import type { EventsDeps } from '../events/events-service.js';
import { createLogger } from '../platform/logger.js';

/**
 * The events Lambda's adapters, built from the environment the stack sets. Apart from
 * lambda-deps.ts so that no other bundle carries the EventBridge client, and this one carries no
 * DynamoDB or Secrets Manager client (it only reads the stream Lambda hands it).
 */
export function eventsDepsFromEnv(): EventsDeps {
  const logger = createLogger({ base: { service: 'events' } });
  return {
    publisher: createEventBridgePublisher({
      client: new EventBridgeClient({}),
      eventBusName: requireEnv(ENV.eventBusName),
      logger,
    }),
    logger,
  };
}
