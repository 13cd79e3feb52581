/**
 * The table's ports in memory (test only): the command ledger, line pacing, sent messages,
 * webhooks' messages and statuses, group records and the reads the sender makes, with the same
 * conditional-write semantics as the DynamoDB adapters (lambdas/adapters/table-*.ts). Items are
 * stored under the same keys and attribute names, so `getCommand` answers the same item.
 *
 * It cannot drift unnoticed: test/support/contracts/table-contract.ts runs the same calls against
 * this and against DynamoDB Local (test/integration/lambdas/adapters/table-store.test.ts) and
 * expects the same answers. Each method below is one DynamoDB request there; here it runs
 * synchronously inside one call, which is what a conditional write is: atomic.
 *
 * Not modelled: DynamoDB's 1 MB page limit (a timeline page is cut at `limit` only), TTL, and the
 * table pacing's "changed on every try" error under heavy contention (here a reservation never fails).
 */
import { randomUUID } from 'node:crypto';
import { memberRefusalItem, messageFields } from '../../../lambdas/adapters/table-messages.js';
import { COMMAND_QUEUE_SETTINGS } from '../../../lambdas/contract/command-queue-settings.js';
import {
  type CommandItem,
  type GroupItem,
  type MessageItem,
  membersKey,
  type StatusHistoryItem,
} from '../../../lambdas/contract/items.js';
import {
  commandKey,
  groupKey,
  lineContactKey,
  linePaceKey,
  lineQuotaKey,
  MESSAGE_SK,
  messageKey,
  REACTIONS_SK,
  reactionsKey,
  STATUS_SK_PREFIX,
  statusKey,
  timelineKeys,
  timelinePartition,
  UNSETTLED_PARTITION,
  unsettledKeys,
} from '../../../lambdas/contract/keys.js';
import {
  MAX_REACTIONS_PER_MESSAGE,
  type ReactionEntry,
  type ReactionsItem,
} from '../../../lambdas/contract/reactions.js';
import { statusRank } from '../../../lambdas/contract/status.js';
import { TABLE_SCHEMA } from '../../../lambdas/contract/table-schema.js';
import type { MessagePage, ReadStore } from '../../../lambdas/reads/ports.js';
import { breakerOf } from '../../../lambdas/adapters/table-pacing.js';
import { quotaOf } from '../../../lambdas/adapters/table-line-contacts.js';
import { type ContactQuota, KNOWN_CONTACT_MS } from '../../../lambdas/sending/new-contact-quota.js';
import type { LineBreaker } from '../../../lambdas/sending/line-breaker.js';
import {
  intervalMs,
  pausedTat,
  type PacingSettings,
  type Reservation,
  slotFor,
} from '../../../lambdas/sending/line-pacing.js';
import type { SenderStore, SweepStore, UnsettledEntry } from '../../../lambdas/sending/ports.js';
import type { IngestStore } from '../../../lambdas/webhooks/ports.js';
import type { ContactLedger } from '../../../lambdas/contacts/ports.js';
import { contactedAttribute, type ContactItem } from '../../../lambdas/contract/items.js';
import { contactKey, OPTED_OUT_PARTITION, optedOutKeys } from '../../../lambdas/contract/keys.js';

const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;
const TIMELINE = TABLE_SCHEMA.groupTimelineIndex;
const { partitionKey: GSI1PK, sortKey: GSI1SK } = TIMELINE;

/** Every port of the table the sender, the sweep and the webhooks use. */
export type TablePorts = SenderStore & SweepStore & IngestStore & ReadStore & ContactLedger;

type Item = Record<string, unknown>;

export interface InMemoryTableOptions {
  now: () => Date;
  /** @default COMMAND_QUEUE_SETTINGS.ledgerRetentionDays */
  ledgerRetentionDays?: number;
  /** A claim's lease id. @default randomUUID */
  newLeaseId?: () => string;
}

export interface InMemoryTable extends TablePorts {
  /** Every item (copies), for a test's own checks. */
  items(): Item[];
  /** A command's ledger entry at once (a copy), for a test's own checks. */
  command(commandId: string): CommandItem | undefined;
}

/**
 * DynamoDB orders strings by their UTF-8 bytes. UTF-16 units (`<`) order the same except between a
 * surrogate (a code point past U+FFFF) and U+E000..U+FFFF: those units are moved to agree.
 */
function byteOrder(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}
const utf8Rank = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);
const idOf = (key: Record<string, string>) => `${key[PK]}\u0000${key[SK]}`;
const defined = (values: Item): Item =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));

/**
 * An UpdateItem as buildUpdate (adapters/update-expression.ts) writes it: SET the defined values,
 * SET if_not_exists the others (unless SET already names them), REMOVE what neither names.
 */
function update(old: Item | undefined, key: Item, spec: { set: Item; setIfNotExists?: Item; remove?: string[] }): Item {
  const set = defined(spec.set);
  const ifAbsent = defined(spec.setIfNotExists ?? {});
  const next: Item = { ...(old ?? key), ...set };
  for (const [name, value] of Object.entries(ifAbsent))
    if (!(name in set) && next[name] === undefined) next[name] = value;
  for (const name of spec.remove ?? []) if (!(name in set) && !(name in ifAbsent)) delete next[name];
  return next;
}

/**
 * A copy of an item, one level of lists, sets and maps deep (what items hold). Cheaper than
 * structuredClone, which the loop would otherwise spend most of its time in.
 */
function copy(item: Item): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(item)) out[name] = copyValue(value);
  return out;
}

function copyValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyValue);
  if (value instanceof Set) return new Set(value);
  if (value !== null && typeof value === 'object') return copy(value as Item);
  return value;
}

export function createInMemoryTable(options: InMemoryTableOptions): InMemoryTable {
  /** The table: partition key -> sort key -> item. */
  const partitions = new Map<string, Map<string, Item>>();
  /** GSI1: its partition key -> the items in it (by table key). */
  const index = new Map<string, Map<string, Item>>();
  const retentionDays = options.ledgerRetentionDays ?? COMMAND_QUEUE_SETTINGS.ledgerRetentionDays;
  const newLeaseId = options.newLeaseId ?? randomUUID;
  const iso = () => options.now().toISOString();
  const expiresAt = () => Math.floor(options.now().getTime() / 1000) + retentionDays * 86_400;

  // Every read answers a copy, every write stores one: no caller shares an object with the table.
  const read = (key: Record<string, string>): Item | undefined => {
    const item = partitions.get(key[PK]!)?.get(key[SK]!);
    return item && copy(item);
  };
  const write = (item: Item) => {
    const pk = String(item[PK]);
    const sk = String(item[SK]);
    const id = idOf(item as Record<string, string>);
    let partition = partitions.get(pk);
    if (!partition) partitions.set(pk, (partition = new Map()));
    const old = partition.get(sk);
    if (old?.[GSI1PK] !== undefined) index.get(String(old[GSI1PK]))?.delete(id);
    const stored = copy(item);
    partition.set(sk, stored);
    if (stored[GSI1PK] !== undefined) {
      const key = String(stored[GSI1PK]);
      let entries = index.get(key);
      if (!entries) index.set(key, (entries = new Map()));
      entries.set(id, stored);
    }
  };
  const all = () => [...partitions.values()].flatMap((partition) => [...partition.values()]);
  const indexed = (partitionKey: string) => [...(index.get(partitionKey)?.values() ?? [])];

  return {
    items: () => all().map(copy),
    command: (commandId) => read(commandKey(commandId)) as CommandItem | undefined,

    // ---- The command ledger (adapters/table-ledger.ts) ----

    async claimCommand(request) {
      const at = options.now();
      const nowMs = at.getTime();
      const key = commandKey(request.commandId);
      const old = read(key);
      const { restart } = request;
      const same = old?.fingerprint === request.fingerprint;
      const expiredLease = old?.state === 'sending' && typeof old.lease_until === 'number' && old.lease_until < nowMs;
      const allowed = restart
        ? old?.state === 'failed' &&
          (restart.sameCommandAllowed || old.fingerprint === undefined || old.fingerprint !== request.fingerprint)
        : request.onlyUnsettled
          ? same && (old?.state === 'unknown' || expiredLease)
          : !old || (same && (old.state === 'queued' || old.state === 'unknown' || expiredLease));
      if (!allowed) {
        return {
          claimed: false,
          current: (old as CommandItem | undefined) ?? {
            command_id: request.commandId,
            type: request.type,
            state: 'sending',
          },
        };
      }
      const leaseId = newLeaseId();
      const next = update(old, key, {
        set: {
          state: 'sending',
          type: request.type,
          lease_id: leaseId,
          lease_until: nowMs + request.leaseMs,
          updated_at: at.toISOString(),
          expires_at: expiresAt(),
          group_id: request.groupId,
          fingerprint: request.fingerprint,
          ...(restart ? { failures: 0, check_failures: 0, first_attempt_at: at.toISOString() } : {}),
        },
        setIfNotExists: {
          command_id: request.commandId,
          created_at: at.toISOString(),
          first_attempt_at: at.toISOString(),
        },
        remove: restart
          ? ['error', 'last_failure', 'slot_at', 'slot_line', 'check_since', 'message_handle', 'next_attempt_at']
          : [],
      });
      next.attempts = (typeof old?.attempts === 'number' ? old.attempts : 0) + 1;
      write(next);
      return { claimed: true, leaseId, previous: old as CommandItem | undefined, restarted: Boolean(restart) };
    },

    async finishCommand(commandId, leaseId, finish) {
      const key = commandKey(commandId);
      const old = read(key);
      if (!old || old.lease_id !== leaseId) return false;
      const updatedAt = iso();
      // A final `unknown` stays off the sweep's list: no check could ever settle it.
      const unsettled = finish.state === 'unknown' && !finish.final;
      write(
        update(old, key, {
          set: {
            state: finish.state,
            error: finish.error,
            group_id: finish.groupId,
            message_handle: finish.messageHandle,
            failures: finish.failures,
            check_failures: finish.checkFailures,
            last_failure: finish.lastFailure,
            outage_since: finish.outageSince,
            outage_failures: finish.outageSince === undefined ? undefined : finish.outageFailures,
            outage_reason: finish.outageSince === undefined ? undefined : finish.outageReason,
            slot_at: finish.slot?.at,
            slot_line: finish.slot?.line,
            next_attempt_at: finish.nextAttemptAt,
            failed_message_id: finish.failedMessageId,
            updated_at: updatedAt,
            expires_at: expiresAt(),
            ...(unsettled ? { ...unsettledKeys(updatedAt, commandId), command_json: finish.commandJson } : {}),
          },
          setIfNotExists: { check_since: finish.checkSince },
          remove: [
            'lease_id',
            'lease_until',
            ...(unsettled ? [] : [GSI1PK, GSI1SK, 'command_json']),
            ...(finish.error === undefined ? ['error'] : []),
            ...(finish.slot === undefined ? ['slot_at', 'slot_line'] : []),
            ...(finish.nextAttemptAt === undefined ? ['next_attempt_at'] : []),
            ...(finish.failedMessageId === undefined ? ['failed_message_id'] : []),
            // No streak: the way to Sendblue answered (or never failed).
            ...(finish.outageSince === undefined ? ['outage_since', 'outage_failures', 'outage_reason'] : []),
          ],
        }),
      );
      return true;
    },

    async recordRejectedCommand(commandId, type, error) {
      const key = commandKey(commandId);
      const old = read(key);
      // Never over an entry of a valid command (it has a fingerprint): that id is taken.
      if (old && !(old.state === 'failed' && old.fingerprint === undefined)) return;
      write(
        update(old, key, {
          set: { command_id: commandId, type, state: 'failed', error, updated_at: iso(), expires_at: expiresAt() },
          setIfNotExists: { created_at: iso() },
        }),
      );
    },

    async recordRefusedReuse(commandId, fingerprint) {
      const old = read(commandKey(commandId));
      if (!old) return;
      const refused = old.refused_fingerprints instanceof Set ? old.refused_fingerprints : new Set<string>();
      write({ ...old, refused_fingerprints: new Set([...refused, fingerprint]), last_refused_at: iso() });
    },

    async listUnsettledCommands({ before, limit }): Promise<UnsettledEntry[]> {
      return indexed(UNSETTLED_PARTITION)
        .filter((item) => byteOrder(String(item[GSI1SK]), before) < 0)
        .sort((a, b) => byteOrder(String(a[GSI1SK]), String(b[GSI1SK])))
        .slice(0, limit)
        .flatMap((item) => {
          const sortKey = String(item[GSI1SK] ?? '');
          const pk = String(item[PK] ?? '');
          if (!pk.startsWith('CMD#') || item[SK] !== 'CMD') return [];
          return [{ commandId: pk.slice('CMD#'.length), updatedAt: sortKey.slice(0, sortKey.indexOf('#')) }];
        });
    },

    // ---- Sent messages (adapters/table-ledger.ts) and webhooks (adapters/table-messages.ts) ----

    async putOutboundMessage(message) {
      const key = messageKey(message.messageHandle);
      const old = read(key);
      write(
        update(old, key, {
          set: {
            message_handle: message.messageHandle,
            group_id: message.groupId,
            direction: 'outbound',
            content: message.content,
            media_url: message.mediaUrl,
            from_number: message.fromNumber,
            date_sent: message.dateSent,
            send_style: message.sendStyle,
            participants: message.participants,
            relay_url: message.relayUrl,
            command_id: message.commandId,
            ...(message.groupId ? timelineKeys(message.groupId, message.dateSent, message.messageHandle) : {}),
          },
          setIfNotExists: {
            status: message.status,
            status_rank: statusRank(message.status),
            date_updated: message.dateUpdated ?? message.dateSent,
            received_at: iso(),
          },
        }),
      );
      return { earlierStatus: typeof old?.status === 'string' ? old.status : undefined };
    },

    async putInboundMessage(event) {
      const key = messageKey(event.messageHandle);
      const old = read(key);
      if (old) return old.group_id === event.groupId ? 'duplicate' : 'conflict';
      const receivedAt = iso();
      write(
        defined({
          ...key,
          ...(event.groupId ? timelineKeys(event.groupId, event.dateSent ?? receivedAt, event.messageHandle) : {}),
          ...messageFields(event),
          status: event.status,
          status_rank: statusRank(event.status),
          date_updated: event.dateUpdated ?? event.dateSent ?? receivedAt,
          received_at: receivedAt,
        }),
      );
      return 'stored';
    },

    async applyStatusEvent(event) {
      const receivedAt = iso();
      const rank = statusRank(event.status);
      const key = messageKey(event.messageHandle);
      const old = read(key);
      const fill: Item = messageFields(event);
      if (event.groupId)
        Object.assign(fill, timelineKeys(event.groupId, event.dateSent ?? receivedAt, event.messageHandle));
      // A status only moves forward; a status event never touches an inbound message.
      const moves = (typeof old?.status_rank !== 'number' || old.status_rank < rank) && old?.direction !== 'inbound';
      let attributes: Item | undefined = old;
      if (moves) {
        attributes = update(old, key, {
          set: {
            status: event.status,
            status_rank: rank,
            date_updated: event.dateUpdated ?? receivedAt,
            error_code: event.errorCode,
            error_message: event.errorMessage,
          },
          setIfNotExists: { ...fill, received_at: receivedAt },
        });
        write(attributes);
      } else if (old?.direction === 'inbound') {
        return { refused: 'inbound-message', statusAdvanced: false, historyAdded: false };
      }
      const historyKey = statusKey(event.messageHandle, event.status);
      const historyAdded = read(historyKey) === undefined;
      if (historyAdded) {
        write(
          defined({
            ...historyKey,
            group_id: event.groupId,
            status: event.status,
            date_updated: event.dateUpdated ?? receivedAt,
            received_at: receivedAt,
            error_code: event.errorCode,
            error_message: event.errorMessage,
          }),
        );
      }
      const relayUrl = typeof attributes?.relay_url === 'string' ? attributes.relay_url : undefined;
      return { statusAdvanced: moves, historyAdded, relayUrl };
    },

    async recordMemberRefusal(event) {
      const member = event.declinedMember;
      if (!member) throw new Error('recordMemberRefusal needs an event naming the declined member');
      const message = read(messageKey(event.messageHandle));
      if (message?.direction === 'inbound') return { refused: 'inbound-message', historyAdded: false };
      const item = defined(memberRefusalItem(event, member, iso()));
      const historyAdded = read(item as Record<string, string>) === undefined;
      if (historyAdded) write(item);
      const relayUrl = typeof message?.relay_url === 'string' ? message.relay_url : undefined;
      return { historyAdded, relayUrl };
    },

    async syncGroup(snapshot) {
      const set: Item = { group_id: snapshot.groupId, updated_at: snapshot.asOf };
      const key = groupKey(snapshot.groupId);
      const old = read(key);
      let changed = false;
      if (snapshot.members) {
        set.members = [...new Set(snapshot.members)].sort();
        set.members_key = membersKey(snapshot.members);
        changed ||= old?.members_key === undefined || old.members_key !== set.members_key;
      }
      if (snapshot.name !== undefined) {
        set.group_name = snapshot.name;
        changed ||= old?.group_name === undefined || old.group_name !== snapshot.name;
      }
      if (!snapshot.members && snapshot.name === undefined) return 'unchanged';
      // Written only when membership or name really change, and never by an older message.
      const newer = typeof old?.updated_at === 'string' && byteOrder(old.updated_at, snapshot.asOf) < 0;
      if (old && !(newer && changed)) return 'unchanged';
      write(update(old, key, { set, setIfNotExists: { created_at: snapshot.asOf } }));
      return 'updated';
    },

    // ---- Line pacing (adapters/table-pacing.ts) ----

    async reserveLineSlot(line, nowMs, settings: PacingSettings): Promise<Reservation> {
      const key = linePaceKey(line);
      const old = read(key);
      // An open breaker refuses every slot (both of the adapter's writes are conditioned on it).
      if (old?.outage_since !== undefined) return { kind: 'paused', breaker: breakerOf(old) };
      const tat = typeof old?.tat === 'number' ? old.tat : undefined;
      const interval = intervalMs(settings);
      if (tat === undefined || tat <= nowMs) {
        const item = { ...(old ?? key), tat: nowMs + interval, line };
        write(item);
        return { kind: 'slot', slotAt: nowMs, breaker: breakerOf(item) };
      }
      if (tat <= nowMs + settings.horizonMs) {
        const item = { ...old, tat: tat + interval };
        write(item);
        return { kind: 'slot', slotAt: slotFor(tat, nowMs, settings), breaker: breakerOf(item) };
      }
      // Back when the backlog ahead of it is within the horizon again.
      return { kind: 'beyond-horizon', retryAt: tat - settings.horizonMs };
    },

    async pauseLine(line, untilMs, settings) {
      const key = linePaceKey(line);
      const old = read(key);
      const tat = pausedTat(untilMs, settings);
      if (typeof old?.tat === 'number' && old.tat >= tat) return;
      write({ ...(old ?? key), tat, line });
    },

    async readLineBreaker(line) {
      return breakerOf(read(linePaceKey(line)));
    },

    async writeLineBreaker(line, next: LineBreaker, seenVersion: number) {
      const key = linePaceKey(line);
      const old = read(key);
      // Never written before counts as version 0 (the adapter's condition).
      const version = typeof old?.breaker_version === 'number' ? old.breaker_version : undefined;
      if (!(version === seenVersion || (seenVersion === 0 && version === undefined))) {
        return { written: false as const, current: breakerOf(old) };
      }
      const item: Item = { ...(old ?? key), line, breaker_version: next.version };
      const stored: Record<string, unknown> = {
        breaker_failures: Object.keys(next.failures).length ? { ...next.failures } : undefined,
        outage_since: next.openSince,
        outage_reason: next.reason,
        probe_at: next.probeAt,
        probe_gap_ms: next.probeGapMs,
        probe_lease_until: next.probeLeaseUntil,
        probe_by: next.probeBy,
      };
      for (const [name, value] of Object.entries(stored)) {
        if (value === undefined) delete item[name];
        else item[name] = value;
      }
      write(item);
      return { written: true as const };
    },

    // ---- New contacts (adapters/table-line-contacts.ts) ----

    async readKnownContacts(line, numbers) {
      const known = new Map<string, number>();
      for (const number of new Set(numbers)) {
        const at = read(lineContactKey(line, number))?.messaged_at;
        if (typeof at === 'number') known.set(number, at);
      }
      return known;
    },

    async rememberContacts(line, numbers, atMs) {
      for (const number of new Set(numbers)) {
        write({
          ...lineContactKey(line, number),
          line,
          messaged_at: atMs,
          expires_at: Math.floor((atMs + KNOWN_CONTACT_MS) / 1000),
        });
      }
    },

    async readContactQuota(line) {
      return quotaOf(read(lineQuotaKey(line)));
    },

    async writeContactQuota(line, next: ContactQuota, seenVersion: number) {
      const key = lineQuotaKey(line);
      const old = read(key);
      // Never written counts as version 0 (the adapter's condition).
      const version = typeof old?.quota_version === 'number' ? old.quota_version : undefined;
      if (!(version === seenVersion || (seenVersion === 0 && version === undefined))) {
        return { written: false as const, current: quotaOf(old) };
      }
      const item: Item = {
        ...(old ?? key),
        spends: next.spends.map((spend) => ({ command: spend.command, at: spend.at, count: spend.count })),
        quota_version: next.version,
        line,
      };
      if (next.blockedUntil === undefined) delete item.blocked_until;
      else item.blocked_until = next.blockedUntil;
      write(item);
      return { written: true as const };
    },

    // ---- Reads (adapters/table-reads.ts) ----

    async getGroup(groupId) {
      return read(groupKey(groupId)) as GroupItem | undefined;
    },

    async getCommand(commandId) {
      return read(commandKey(commandId)) as CommandItem | undefined;
    },

    async getMessageWithHistory(handle) {
      const partition = partitions.get(messageKey(handle)[PK]!);
      const items = [...(partition?.values() ?? [])].sort((a, b) => byteOrder(String(a[SK]), String(b[SK]))).map(copy);
      const message = items.find((item) => item[SK] === MESSAGE_SK) as MessageItem | undefined;
      if (!message) return undefined;
      const history = items.filter((item) => String(item[SK]).startsWith(STATUS_SK_PREFIX));
      const reactions = (items.find((item) => item[SK] === REACTIONS_SK) as ReactionsItem | undefined)?.reactions;
      return { message, history: history as unknown as StatusHistoryItem[], reactions: reactions ?? [] };
    },

    // ---- Reactions (adapters/table-reactions.ts) ----

    async addReaction({ targetHandle, groupId, entry }) {
      const key = reactionsKey(targetHandle);
      const stored = read(key) as (ReactionsItem & Item) | undefined;
      const ids = new Set(stored?.reaction_ids ?? []);
      if (ids.has(entry.id)) return 'duplicate';
      if ((stored?.reactions?.length ?? 0) >= MAX_REACTIONS_PER_MESSAGE) return 'full';
      ids.add(entry.id);
      write({
        ...stored,
        ...key,
        reactions: [...(stored?.reactions ?? []), entry],
        reaction_ids: ids,
        message_handle: targetHandle,
        updated_at: iso(),
        ...(groupId && stored?.group_id === undefined ? { group_id: groupId } : {}),
      });
      return 'added';
    },

    async getReactions(handles) {
      const found = new Map<string, ReactionEntry[]>();
      for (const handle of new Set(handles)) {
        const reactions = (read(reactionsKey(handle)) as ReactionsItem | undefined)?.reactions;
        if (Array.isArray(reactions)) found.set(handle, reactions);
      }
      return found;
    },

    // ---- Contacts (adapters/table-contacts.ts) ----

    async optedOutAmong(numbers) {
      return new Set(numbers.filter((number) => read(contactKey(number))?.opted_out === true));
    },

    async getContact(number) {
      return read(contactKey(number)) as ContactItem | undefined;
    },

    async listOptedOut({ limit, startKey }) {
      const position = (item: Item) => [String(item[GSI1SK]), String(item[PK])];
      const compare = (a: string[], b: string[]) => byteOrder(a[0]!, b[0]!) || byteOrder(a[1]!, b[1]!);
      let entries = indexed(OPTED_OUT_PARTITION).sort((a, b) => -compare(position(a), position(b)));
      if (startKey) {
        const after = [String(startKey[GSI1SK]), String(startKey[PK])];
        entries = entries.filter((item) => -compare(position(item), after) > 0);
      }
      const page = entries.slice(0, limit);
      const last = page[page.length - 1];
      const items = page.map((item) => {
        const sortKey = String(item[GSI1SK]);
        const number = String(item[PK]).slice('CONTACT#'.length);
        return { number, since: sortKey.slice(0, sortKey.length - number.length - 1) };
      });
      const nextKey =
        entries.length > limit && last
          ? {
              [PK]: String(last[PK]),
              [SK]: String(last[SK]),
              [GSI1PK]: String(last[GSI1PK]),
              [GSI1SK]: String(last[GSI1SK]),
            }
          : undefined;
      return { items, nextKey };
    },

    async recordSighting({ number, at, contactedFrom }) {
      const key = contactKey(number);
      const old = read(key);
      const forward = typeof old?.last_seen !== 'string' || byteOrder(old.last_seen, at) <= 0;
      const item: Item = { ...(old ?? key), number };
      if (typeof item.first_seen !== 'string' || byteOrder(item.first_seen, at) > 0) item.first_seen = at;
      if (forward || item.last_seen === undefined) item.last_seen = at;
      if (contactedFrom && item[contactedAttribute(contactedFrom)] === undefined)
        item[contactedAttribute(contactedFrom)] = at;
      write(item);
    },

    async recordOptChange({ number, at, optedOut, by }) {
      const key = contactKey(number);
      const old = read(key);
      if (typeof old?.opt_changed_at === 'string' && byteOrder(old.opt_changed_at, at) >= 0) return 'stale';
      const item: Item = { ...(old ?? key), number, opted_out: optedOut, opt_changed_at: at };
      item[optedOut ? 'opted_out_at' : 'opted_in_at'] = at;
      item[optedOut ? 'opted_out_by' : 'opted_in_by'] = by;
      if (optedOut) Object.assign(item, optedOutKeys(at, number));
      else {
        delete item[GSI1PK];
        delete item[GSI1SK];
      }
      if (item.first_seen === undefined) item.first_seen = at;
      if (item.last_seen === undefined) item.last_seen = at;
      write(item);
      return 'written';
    },

    async listGroupMessages(groupId, { limit, order, startKey }): Promise<MessagePage> {
      // GSI1's order: its sort key, then the table's keys (a tie between two messages is rare).
      const position = (item: Item) => [String(item[GSI1SK]), String(item[PK]), String(item[SK])];
      const compare = (a: string[], b: string[]) =>
        byteOrder(a[0]!, b[0]!) || byteOrder(a[1]!, b[1]!) || byteOrder(a[2]!, b[2]!);
      const sign = order === 'asc' ? 1 : -1;
      let entries = indexed(timelinePartition(groupId)).sort((a, b) => sign * compare(position(a), position(b)));
      if (startKey) {
        const after = [String(startKey[GSI1SK]), String(startKey[PK]), String(startKey[SK])];
        entries = entries.filter((item) => sign * compare(position(item), after) > 0);
      }
      const rows = entries.slice(0, limit + 1).map(project);
      const items = rows.slice(0, limit) as Array<MessageItem & Record<string, string>>;
      const last = items[items.length - 1];
      const nextKey =
        rows.length > limit && last
          ? { [PK]: last[PK]!, [SK]: last[SK]!, [GSI1PK]: last[GSI1PK]!, [GSI1SK]: last[GSI1SK]! }
          : undefined;
      return { items, nextKey };
    },
  };
}

/** What GSI1 holds of an item: its keys and the projected attributes (TABLE_SCHEMA). */
function project(item: Item): Item {
  const names = [PK, SK, GSI1PK, GSI1SK, ...TIMELINE.projectedAttributes];
  return copy(defined(Object.fromEntries(names.map((name) => [name, item[name]]))));
}
