/**
 * Events and media through the sandbox (real handlers fed by the stream poller over DynamoDB
 * Local's stream): events published per real change and per duplicate, the mean event size (what
 * EventBridge and its archive bill), the write units of recording a media copy, and how long after
 * the webhook's 200 an event is out (a sandbox figure: its poller reads 4 times a second, like Lambda).
 */
import { randomUUID } from 'node:crypto';
import type { FeedEntry } from '../sandbox/event-feed.js';
import type { BenchSandbox } from './harness.js';
import { inbound, status } from './payloads.js';

export interface EventsFigures {
  /** Events per new inbound message of a known group (its group record unchanged). */
  eventsPerNewMessage: number;
  /** Events per duplicate webhook (goal 0). */
  eventsPerDuplicate: number;
  /** Events per new status of a message. */
  eventsPerStatus: number;
  /** DynamoDB writes the ingest path made per new message with events and media on (goal 1: unchanged). */
  ingestWritesPerMessage: number;
  /** Mean size of a published event as EventBridge counts it (bytes). */
  meanEventBytes: number;
  /** Webhook answered -> event in the log, ms (median, p95), sandbox. */
  latencyMs: { median: number; p95: number };
  /** Write units of the UpdateItem recording a copy on its message. */
  mediaRecordWriteUnits: number;
  mediaCopies: number;
}

export async function measureEvents(bench: BenchSandbox, samples = 50): Promise<EventsFigures> {
  const { sandbox, meter } = bench;
  const feed = sandbox.streams.feed!;
  const caughtUp = () => sandbox.streams.caughtUp();
  const expectOk = (code: number) => {
    if (code !== 200) throw new Error(`webhook answered ${code}`);
  };
  const since = (seq: number) => feed.list(seq);
  const lastSeq = () => feed.list().at(-1)?.seq ?? 0;
  const group = `bench-events-${randomUUID()}`;
  expectOk(await bench.post('receive', inbound(group))); // the group record is written once
  await caughtUp();

  // New messages, one at a time, timing each until its event is out.
  let start = lastSeq();
  const latencies: number[] = [];
  const payloads: Array<Record<string, unknown>> = [];
  const writesMark = meter.mark();
  for (let i = 0; i < samples; i += 1) {
    const payload = inbound(group);
    payloads.push(payload);
    const seen = new Promise<number>((resolve) => {
      const unsubscribe = feed.subscribe((entry: FeedEntry) => {
        if (entry.event.detail.message_handle === payload.message_handle) {
          unsubscribe();
          resolve(performance.now());
        }
      });
    });
    expectOk(await bench.post('receive', payload));
    const answered = performance.now();
    latencies.push((await seen) - answered);
  }
  const ingestWrites = meter.since(writesMark).filter((r) => r.write).length;
  await caughtUp();
  const newEvents = since(start);

  start = lastSeq();
  for (const payload of payloads) expectOk(await bench.post('receive', payload));
  await caughtUp();
  const duplicateEvents = since(start).length;

  start = lastSeq();
  const handle = `bench-out-${randomUUID()}`;
  for (const value of ['SENT', 'DELIVERED', 'READ']) expectOk(await bench.post('status', status(handle, value, group)));
  await caughtUp();
  const statusEvents = since(start).length;

  // Media: replies carrying the simulator's picture.
  const mediaMark = meter.mark();
  const mediaCount = 5;
  for (let i = 0; i < mediaCount; i += 1) {
    expectOk(
      await bench.post('receive', { ...inbound(group), media_url: sandbox.simulator!.mediaUrlFor(`bench-${i}.png`) }),
    );
  }
  await caughtUp();
  const recordWrites = meter.since(mediaMark).filter((r) => r.write && r.command === 'UpdateItem');
  const copies = recordWrites.length;

  const sizes = newEvents.map(
    (entry) =>
      14 +
      entry.event.source.length +
      entry.event['detail-type'].length +
      Buffer.byteLength(JSON.stringify(entry.event.detail)),
  );
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    eventsPerNewMessage: round(newEvents.length / samples),
    eventsPerDuplicate: round(duplicateEvents / samples),
    eventsPerStatus: round(statusEvents / 3),
    ingestWritesPerMessage: round(ingestWrites / samples),
    meanEventBytes: Math.round(sizes.reduce((sum, size) => sum + size, 0) / Math.max(1, sizes.length)),
    latencyMs: {
      median: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      p95: Math.round(sorted[Math.floor(sorted.length * 0.95)]!),
    },
    mediaRecordWriteUnits: round(recordWrites.reduce((sum, r) => sum + (r.units ?? 0), 0) / Math.max(1, copies)),
    mediaCopies: copies,
  };
}
