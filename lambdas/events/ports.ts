import type { DomainEvent } from './domain-events.js';

/**
 * Where domain events go: the stack's EventBridge bus in AWS (adapters/event-publisher.ts), the
 * sandbox's local event log on a laptop. Answers the positions of the events NOT published, so the
 * caller can report exactly those stream records for a retry.
 */
export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<number[]>;
}
