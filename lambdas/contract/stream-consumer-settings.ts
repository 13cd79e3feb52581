/**
 * How the two consumers of the table's stream read it, shared by the stack (lib/defaults.ts) and
 * the sandbox's stream poller, so both batch and give up alike.
 */
export const STREAM_CONSUMER_SETTINGS = {
  events: {
    /** PutEvents takes 10 entries a call: 100 records are at most 10 calls. */
    batchSize: 100,
    /**
     * A batch fails only when EventBridge did not take its events (the handler skips records it does
     * not understand), which passes: many retries, each one publishing only from the failed record on.
     */
    retryAttempts: 50,
  },
  media: {
    /** Downloads run one after another, each within MEDIA_SETTINGS.fetchTimeoutMs. */
    batchSize: 4,
    /** A file refused for good is recorded and never retried; this bounds the ones that time out. */
    retryAttempts: 5,
  },
  contacts: {
    /** Each record is a few conditional writes at most (most sightings are cached per container). */
    batchSize: 100,
    /** Writes fail only while DynamoDB does: many retries, each from the failed record on. */
    retryAttempts: 50,
  },
  /** A change not handled within a day (DynamoDB Streams keeps records 24 hours) goes to the failure queue. */
  maxRecordAgeSeconds: 86_400,
} as const;
