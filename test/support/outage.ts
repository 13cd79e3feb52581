/**
 * Sendblue outages against the whole command path (issue 16): commands pushed while the simulator
 * refuses connections or answers 503, then every promise checked once it is back: each command
 * sent exactly once, none on the DLQ, each group's order kept, the last send soon after recovery,
 * and how many calls reached (or tried to reach) each line meanwhile.
 *
 * Calls are counted on both sides: the simulator records every request it answered (a 503 outage
 * marks them, with their line), and a refused port records nothing, so every request the process
 * started towards the simulator is counted here too, from undici's diagnostics channel (the
 * Sendblue SDK uses the global fetch), whether or not it got through.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { seededRandom } from '../../sandbox/sendblue-simulator/faults.js';
import type { Harness } from './sandbox-harness.js';

export interface PlannedSend {
  id: string;
  groupId: string;
  line: string;
  content: string;
}

/** `count` sends over `groups` existing groups on `line` (seeded: group sizes, order, contents). */
export function planSends(
  h: Harness,
  options: { seed: number; count: number; groups: number; line: string; prefix: string },
): PlannedSend[] {
  const random = seededRandom(options.seed);
  const groupIds = Array.from({ length: options.groups }, (_, g) => {
    const size = 2 + Math.floor(random() * 4);
    const members = Array.from(
      { length: size },
      (_, m) => `+1555${String(4_000_000 + (options.seed % 1_000) * 1_000 + g * 10 + m).padStart(7, '0')}`,
    );
    return h.sim.createGroup(members, undefined, { lines: [options.line] }).group_id;
  });
  // Every group gets its share; the order across groups is random, within a group it is the plan's.
  const slots = Array.from({ length: options.count }, (_, i) => i % options.groups);
  for (let i = slots.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  const seen = new Map<number, number>();
  return slots.map((g, i) => {
    const n = seen.get(g) ?? 0;
    seen.set(g, n + 1);
    const id = `${options.prefix}-${options.seed}-${i}`;
    return { id, groupId: groupIds[g]!, line: options.line, content: `${id}: #${n} in group ${g}` };
  });
}

export async function pushSends(h: Harness, sends: readonly PlannedSend[]): Promise<void> {
  for (const send of sends) {
    await h.push({
      type: 'send_group_message',
      command_id: send.id,
      group_id: send.groupId,
      content: send.content,
      from_number: send.line,
    });
  }
}

/** Requests this process started towards `origin`'s API (`/api/...`), with when: refused ones too. */
export function countRequestsTo(origin: string): { at: number[]; stop: () => void } {
  const at: number[] = [];
  const wanted = new URL(origin).origin;
  const onCreate = (message: unknown) => {
    const request = (message as { request?: { origin?: string; path?: string } }).request;
    if (request?.origin === wanted && request.path?.startsWith('/api/')) at.push(Date.now());
  };
  subscribe('undici:request:create', onCreate);
  return { at, stop: () => unsubscribe('undici:request:create', onCreate) };
}

/** Waits until every command is sent or failed (read from the ledger), or the time is up. */
export async function settleAll(
  h: Harness,
  ids: readonly string[],
  timeoutMs: number,
): Promise<Map<string, Record<string, any>>> {
  const settled = new Map<string, Record<string, any>>();
  const deadline = Date.now() + timeoutMs;
  while (settled.size < ids.length && Date.now() < deadline) {
    for (const id of ids) {
      if (settled.has(id)) continue;
      const item = await h.sandbox.store.getCommand(id).catch(() => undefined);
      if (item && (item.state === 'sent' || item.state === 'failed')) settled.set(id, item);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return settled;
}

export interface OutageReport {
  /** Commands not sent (state, error), by id: empty when all were sent. */
  notSent: Record<string, unknown>;
  /** Sends whose content Sendblue accepted other than exactly once. */
  notOnce: string[];
  deadLetters: number;
  /** Groups whose accepted sends are not in the order they were queued. */
  outOfOrder: string[];
  /** From recovery to the last accepted send, seconds. */
  drainSeconds: number;
}

/** What happened to `sends` once the outage that ended at `recoveredAt` is over. */
export async function reportOn(
  h: Harness,
  sends: readonly PlannedSend[],
  settled: Map<string, Record<string, any>>,
  recoveredAt: number,
): Promise<OutageReport> {
  const accepted = h.sim.sentMessages();
  const notSent: Record<string, unknown> = {};
  for (const send of sends) {
    const item = settled.get(send.id);
    if (item?.state !== 'sent') notSent[send.id] = item ? { state: item.state, error: item.error } : 'not settled';
  }
  const notOnce = sends
    .filter((send) => accepted.filter((m) => m.content === send.content).length !== 1)
    .map((send) => send.id);
  const outOfOrder = [...new Set(sends.map((send) => send.groupId))].filter((groupId) => {
    const queued = sends.filter((send) => send.groupId === groupId).map((send) => send.content);
    const got = accepted
      .filter((m) => m.group_id === groupId)
      .sort((a, b) => a.seq - b.seq)
      .map((m) => m.content);
    return got.join('\n') !== queued.join('\n');
  });
  const ours = accepted.filter((m) => sends.some((send) => send.content === m.content));
  const last = Math.max(...ours.map((m) => Date.parse(m.date_created)));
  return {
    notSent,
    notOnce,
    deadLetters: (await h.deadLetters()).length,
    outOfOrder,
    drainSeconds: (last - recoveredAt) / 1000,
  };
}
