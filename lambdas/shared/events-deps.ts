import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ENV, requireEnv } from './env';
import { createEventBridgePublisher } from './event-publisher';
import type { EventsDeps } from './events-service';
import { loggerFromEnv } from './lambda-deps';

/**
 * The events Lambda's adapters, built from the environment the stack sets. Apart from
 * lambda-deps.ts so that no other bundle carries the EventBridge client.
 */
export function eventsDepsFromEnv(): EventsDeps {
  const logger = loggerFromEnv('events');
  return {
    publisher: createEventBridgePublisher({ client: new EventBridgeClient({}), eventBusName: requireEnv(ENV.eventBusName), logger }),
    logger,
  };
}
