/** Webhook payloads and commands for the benchmarks, built from the documented fixtures. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8'));
export const RECEIVE = fixture('receive-group.json');
const STATUS = fixture('status-callback.json');
export const MEMBERS = ['+15551230001', '+15551230002', '+15551230003'];

let sequence = 0;
/** A new inbound group message (a fresh message_handle and a later date_sent each time). */
export function inbound(groupId = String(RECEIVE.group_id)): Record<string, unknown> {
  sequence += 1;
  return {
    ...RECEIVE,
    group_id: groupId,
    message_handle: `bench-${randomUUID()}`,
    date_sent: new Date(Date.UTC(2026, 10, 20, 17, 0, 0, sequence)).toISOString(),
  };
}

export function status(messageHandle: string, value: string, groupId: string): Record<string, unknown> {
  sequence += 1;
  return {
    ...STATUS,
    message_handle: messageHandle,
    status: value,
    group_id: groupId,
    date_updated: new Date(Date.UTC(2026, 10, 20, 17, 5, 0, sequence)).toISOString(),
  };
}
