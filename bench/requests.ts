/**
 * Requests per event, counted through the sandbox (real handlers, DynamoDB Local, the Sendblue
 * simulator): DynamoDB requests and the write units DynamoDB reports, and Sendblue API calls.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../sandbox/config.js';
import type { BenchSandbox, MeteredRequest } from './harness.js';
import { inbound, MEMBERS, status } from './payloads.js';

export interface EventCost {
  event: string;
  /** How many events were averaged. */
  samples: number;
  writes: number;
  reads: number;
  /** Write units per event: reported by DynamoDB; a failed conditional write counts 1 (AWS bills it). */
  writeUnits: number;
  /** Of writeUnits, those of index GSI1. */
  indexWriteUnits: number;
  readUnits: number;
  sendblueCalls: number;
  /** Write commands of one event, e.g. ["PutItem", "PutItem!ConditionalCheckFailedException"]. */
  detail: string[];
}

export async function measureRequests(bench: BenchSandbox): Promise<EventCost[]> {
  const { sandbox, meter } = bench;
  const sim = sandbox.simulator!;
  const sqs = new SQSClient({ endpoint: sandbox.urls.sqs, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  const results: EventCost[] = [];

  const measure = async (event: string, samples: number, once: (i: number) => Promise<void>) => {
    const mark = meter.mark();
    const calls = sim.requests.length;
    let first: MeteredRequest[] = [];
    for (let i = 0; i < samples; i += 1) {
      const before = meter.mark();
      await once(i);
      if (i === 0) first = meter.since(before);
    }
    const seen = meter.since(mark);
    const per = (n: number) => Math.round((n / samples) * 100) / 100;
    const units = (list: MeteredRequest[]) => list.reduce((sum, r) => sum + (r.units ?? (r.error ? 1 : 0)), 0);
    results.push({
      event,
      samples,
      writes: per(seen.filter((r) => r.write).length),
      reads: per(seen.filter((r) => !r.write).length),
      writeUnits: per(units(seen.filter((r) => r.write))),
      indexWriteUnits: per(seen.filter((r) => r.write).reduce((sum, r) => sum + (r.indexUnits ?? 0), 0)),
      readUnits: per(units(seen.filter((r) => !r.write))),
      sendblueCalls: per(sim.requests.length - calls),
      detail: first.filter((r) => r.write).map((r) => (r.error ? `${r.command}!${r.error}` : r.command)),
    });
  };
  const expectOk = (code: number) => {
    if (code !== 200) throw new Error(`webhook answered ${code}`);
  };
  const push = async (command: Record<string, unknown>, groupId: string) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: sandbox.urls.commandQueue,
        MessageBody: JSON.stringify(command),
        MessageGroupId: groupId,
      }),
    );
    await sandbox.poller.drained();
  };

  try {
    const group = `bench-group-${randomUUID()}`;
    let last: Record<string, unknown> = {};
    await measure('inbound webhook, first of a group in a fresh container', 1, async () => {
      last = inbound(group);
      expectOk(await bench.post('receive', last));
    });
    await measure('inbound webhook, new message', 10, async () => {
      last = inbound(group);
      expectOk(await bench.post('receive', last));
    });
    await measure('duplicate webhook', 5, async () => expectOk(await bench.post('receive', last)));
    // What GSI1's projection (INCLUDE: the timeline's attributes only) changes: index write units of
    // large messages, and the read units of a timeline page (docs/table-design.md).
    await measure('inbound webhook, 2,000-character message', 3, async () => {
      expectOk(await bench.post('receive', { ...inbound(group), content: 'x'.repeat(2_000) }));
    });
    await measure('inbound webhook, 20 KB of unmapped fields', 3, async () => {
      expectOk(await bench.post('receive', { ...inbound(group), attachment_meta: 'y'.repeat(20_000) }));
    });
    const pageGroup = `bench-page-${randomUUID()}`;
    for (let i = 0; i < 50; i += 1) expectOk(await bench.post('receive', inbound(pageGroup)));
    await measure('timeline page of 50 messages (GET /groups/{id}/messages)', 3, async () => {
      const response = await fetch(`${sandbox.urls.api}/groups/${pageGroup}/messages?limit=50`);
      const body = (await response.json()) as { messages: unknown[] };
      if (response.status !== 200 || body.messages.length !== 50)
        throw new Error(`timeline page answered ${response.status} with ${body.messages?.length} messages`);
    });

    await measure('send (new group)', 3, async () => {
      await push(
        { type: 'send_group_message', command_id: `bench-${randomUUID()}`, numbers: MEMBERS, content: 'Hello group' },
        `bench-${randomUUID()}`,
      );
    });
    const groupId = sim.sentMessages().at(-1)!.group_id!;
    await measure('send (existing group_id)', 3, async () => {
      await push(
        { type: 'send_group_message', command_id: `bench-${randomUUID()}`, group_id: groupId, content: 'Hello again' },
        groupId,
      );
    });
    const handles = sim
      .sentMessages()
      .slice(-3)
      .map((m) => m.message_handle);
    await measure('status event', 6, async (i) => {
      expectOk(await bench.post('status', status(handles[i % 3]!, i < 3 ? 'SENT' : 'DELIVERED', groupId)));
    });
    await measure('duplicate status event', 3, async (i) => {
      expectOk(await bench.post('status', status(handles[i % 3]!, 'DELIVERED', groupId)));
    });
    let added = 4;
    await measure('add_recipient', 3, async () => {
      added += 1;
      await push(
        {
          type: 'modify_group',
          command_id: `bench-${randomUUID()}`,
          group_id: groupId,
          modify_type: 'add_recipient',
          number: `+1555123000${added}`,
        },
        groupId,
      );
    });
    return results;
  } finally {
    sqs.destroy();
  }
}
