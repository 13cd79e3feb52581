/**
 * The sandbox's stand-in for the EventBridge bus: the events Lambda's publisher writes here, and
 * each event is kept (the newest `maxEvents`) in the envelope an EventBridge rule's target
 * receives. Served at `GET /__sandbox/events` (JSON) and `GET /__sandbox/events?follow=1`
 * (server-sent events, as they happen); `npm run cli -- events [--follow]` reads them.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_SOURCE, type DomainEvent } from '../lambdas/events/domain-events.js';
import type { EventPublisher } from '../lambdas/events/ports.js';
import {
  SANDBOX_ACCOUNT,
  SANDBOX_EVENTS_PATH,
  SANDBOX_REGION,
  type EventEnvelope,
  type SandboxEventsPage,
} from '../lambdas/contract/sandbox.js';

const HEARTBEAT_MS = 15_000;

export interface FeedEntry {
  /** Position in the sandbox's log, from 1: `?after=<seq>` asks for what came later. */
  seq: number;
  event: EventEnvelope;
}

export interface EventFeed {
  publisher: EventPublisher;
  /** Entries after `after` (oldest first). */
  list(after?: number): FeedEntry[];
  /** Called with each new entry; returns the unsubscribe function. */
  subscribe(listener: (entry: FeedEntry) => void): () => void;
  /** The HTTP routes (for the API server's extraRoutes). */
  routes(req: IncomingMessage, res: ServerResponse): boolean;
  /** Ends every follower's stream (before the API server closes). */
  close(): void;
}

export function createEventFeed(options: { maxEvents?: number; now?: () => Date } = {}): EventFeed {
  const { maxEvents = 10_000, now = () => new Date() } = options;
  const entries: FeedEntry[] = [];
  const listeners = new Set<(entry: FeedEntry) => void>();
  const followers = new Set<ServerResponse>();
  let seq = 0;

  const append = (event: DomainEvent) => {
    seq += 1;
    const entry: FeedEntry = {
      seq,
      event: {
        version: '0',
        id: randomUUID(),
        'detail-type': event.detailType,
        source: EVENT_SOURCE,
        account: SANDBOX_ACCOUNT,
        time: event.time ?? now().toISOString(),
        region: SANDBOX_REGION,
        resources: [],
        detail: event.detail,
      },
    };
    entries.push(entry);
    if (entries.length > maxEvents) entries.splice(0, entries.length - maxEvents);
    for (const listener of [...listeners]) listener(entry);
  };

  const list = (after = 0) => entries.filter((entry) => entry.seq > after);
  const subscribe = (listener: (entry: FeedEntry) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };

  function follow(req: IncomingMessage, res: ServerResponse, after: number): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Now, not with the first event: a follower knows at once that it is connected.
    res.flushHeaders();
    const send = (entry: FeedEntry) => res.write(`id: ${entry.seq}\ndata: ${JSON.stringify(entry.event)}\n\n`);
    list(after).forEach(send);
    const unsubscribe = subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    followers.add(res);
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      followers.delete(res);
    };
    req.once('close', end);
    res.once('close', end);
  }

  return {
    publisher: {
      async publish(events) {
        events.forEach(append);
        return [];
      },
    },
    list,
    subscribe,
    routes(req, res) {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (url.pathname !== SANDBOX_EVENTS_PATH) return false;
      if (req.method !== 'GET') {
        res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' });
        res.end(JSON.stringify({ error: `${SANDBOX_EVENTS_PATH} answers GET only` }));
        return true;
      }
      // A follower that reconnects says where it was (server-sent events' Last-Event-ID).
      const rawAfter =
        url.searchParams.get('after') ??
        (typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : '0');
      if (!/^\d{1,15}$/.test(rawAfter)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'after must be a whole number (the seq of the last event seen)' }));
        return true;
      }
      const after = Number(rawAfter);
      if (url.searchParams.get('follow') === '1') {
        follow(req, res, after);
        return true;
      }
      const page = list(after);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      const answer: SandboxEventsPage = {
        events: page.map((entry) => entry.event),
        last_seq: page.at(-1)?.seq ?? Math.max(after, seq),
      };
      res.end(JSON.stringify(answer));
      return true;
    },
    close() {
      for (const res of [...followers]) res.end();
      followers.clear();
    },
  };
}
