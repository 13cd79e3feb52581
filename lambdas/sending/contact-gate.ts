import type { Attempt, AttemptDeps } from './attempt.js';
import type { AttemptOutcome } from './attempt-outcome.js';
import type { SendGroupMessageCommand } from '../contract/commands.js';
import {
  blockedBySendblue,
  decideQuota,
  holdText,
  KNOWN_REFRESH_MS,
  newContactsOf,
  type QuotaHold,
} from './new-contact-quota.js';

/**
 * The line's new-contact quota before a send (new-contact-quota.ts has the rules): which
 * recipients the line never messaged, and whether they fit the line's hour and day. A send that
 * does not fit ends its attempt as a `quota-wait` (queued, with a reason a user reads in
 * `GET /commands/{id}`), and comes back when it fits. A spend is one conditional write on the line's
 * quota record, so two commands never both take its last slot; it is keyed by the command, so a
 * redelivery or a retry never spends twice. Spent and then not sent (refused, a later wait) stays
 * spent: conservative, the quota is never overrun.
 *
 * Costs per send: the known-contact records of its recipients in one BatchGetItem (skipped for
 * numbers this container saw known in the last day), a GetItem of the group record for a send by
 * `group_id`; only a send with new contacts reads and writes the quota record (2 requests) and,
 * once accepted, writes their known-contact records (one BatchWriteItem).
 */

/** Before the send's slot: undefined to go on, or the outcome that ends the attempt. */
export async function passNewContactQuota(
  deps: AttemptDeps,
  line: string,
  attempt: Attempt,
  command: SendGroupMessageCommand,
): Promise<AttemptOutcome | undefined> {
  const limits = deps.settings.newContacts;
  if (!limits) return undefined;
  const nowMs = deps.now().getTime();
  const recipients = await recipientsOf(deps, command, line);
  const known = await knownOf(deps, line, recipients, nowMs);
  const fresh = newContactsOf(recipients, known, nowMs);
  attempt.newContacts = fresh;
  // Recorded again once sent: the new ones, and known ones whose record is a day old (Sendblue's 30 days restart).
  attempt.contactsToRemember = recipients.filter((number) => (known.get(number) ?? 0) <= nowMs - KNOWN_REFRESH_MS);
  if (!fresh.length) return undefined;
  const advice = deps.lineAdvice ? (await deps.lineAdvice.forLine(line)).usage : undefined;
  let quota = await deps.store.readContactQuota(line);
  for (let tries = 0; tries < 5; tries += 1) {
    const decision = decideQuota(quota, {
      commandId: attempt.commandId,
      needed: fresh.length,
      nowMs: deps.now().getTime(),
      limits,
      advice,
    });
    switch (decision.kind) {
      case 'go':
        return undefined;
      case 'never':
        return { kind: 'rejected', reason: decision.reason };
      case 'wait':
        return quotaWait(deps, attempt, decision.hold);
      case 'spend': {
        const result = await deps.store.writeContactQuota(line, decision.next, quota.version);
        if (result.written) {
          deps.logger.info('new contacts spent from the line’s quota', {
            command_id: attempt.commandId,
            new_contacts: fresh.length,
          });
          return undefined;
        }
        quota = result.current; // another command spent first: decide again on what it left
      }
    }
  }
  // The record kept changing under us: many commands are spending; this one comes back shortly.
  return quotaWait(deps, attempt, { window: 'hour', needed: fresh.length, left: 0, untilMs: nowMs + 2_000 });
}

/**
 * Sendblue answered 429 `new_contact_limit`: the line's quota is used up as Sendblue counts it
 * (other senders on the account, a lower limit than ours). This command waits until its
 * `next_slot_at`, and so does every new-contact spend on the line (the quota record is blocked);
 * sends to known contacts go on: the line itself is not paused. Without a time, the send needs more
 * than a whole window: it never fits (undefined: the caller fails it as a refusal).
 */
export async function noteSendblueQuotaLimit(
  deps: AttemptDeps,
  line: string,
  attempt: Attempt,
  nextSlotAt: number | undefined,
): Promise<AttemptOutcome | undefined> {
  if (nextSlotAt === undefined) return undefined;
  const nowMs = deps.now().getTime();
  const untilMs = Math.max(nowMs + 1_000, nextSlotAt);
  try {
    let quota = await deps.store.readContactQuota(line);
    for (let tries = 0; tries < 4; tries += 1) {
      const next = blockedBySendblue(quota, untilMs);
      if (!next) break;
      const result = await deps.store.writeContactQuota(line, next, quota.version);
      if (result.written) break;
      quota = result.current;
    }
  } catch (error) {
    // Only the other commands' first tries are spared by it; this one waits all the same.
    deps.logger.warn('could not record Sendblue’s new-contact limit on the line', { line, error });
  }
  const needed = attempt.newContacts?.length ?? 0;
  return quotaWait(deps, attempt, { window: 'sendblue', needed, left: 0, untilMs });
}

/** After Sendblue accepted the send: its new contacts are known to the line from now on (best effort). */
export async function rememberNewContacts(deps: AttemptDeps, line: string, attempt: Attempt): Promise<void> {
  const numbers = attempt.contactsToRemember;
  if (!numbers?.length || !deps.settings.newContacts) return;
  const nowMs = deps.now().getTime();
  try {
    await deps.store.rememberContacts(line, numbers, nowMs);
    const cache = cacheFor(deps, line);
    for (const number of numbers) cache?.set(number, nowMs);
  } catch (error) {
    // Not recorded: a later send to them counts them again (spends more than needed, never less).
    deps.logger.warn('could not record the line’s new contacts; a later send may count them again', {
      command_id: attempt.commandId,
      error,
    });
  }
}

function quotaWait(deps: AttemptDeps, attempt: Attempt, hold: QuotaHold): AttemptOutcome {
  const nowMs = deps.now().getTime();
  deps.logger.info('send held for the line’s new-contact quota', {
    command_id: attempt.commandId,
    window: hold.window,
    needed: hold.needed,
    left: hold.left,
    until: new Date(hold.untilMs).toISOString(),
  });
  return { kind: 'quota-wait', retryAt: hold.untilMs, reason: holdText(hold, nowMs) };
}

/** The people a send goes to: its numbers, or the group's members as the table knows them (none when unknown). */
async function recipientsOf(deps: AttemptDeps, command: SendGroupMessageCommand, line: string): Promise<string[]> {
  const ours = new Set([line, deps.settings.fromNumber]);
  const people =
    command.numbers ?? (command.group_id ? ((await deps.store.getGroup(command.group_id))?.members ?? []) : []);
  return people.filter((number) => !ours.has(number));
}

const cacheFor = (deps: AttemptDeps, line: string) => {
  if (!deps.knownContacts) return undefined;
  let cache = deps.knownContacts.get(line);
  if (!cache) {
    cache = new Map();
    deps.knownContacts.set(line, cache);
  }
  return cache;
};

/** The recipients' known-contact records: from this container's cache when recent, else the table. */
async function knownOf(
  deps: AttemptDeps,
  line: string,
  recipients: string[],
  nowMs: number,
): Promise<Map<string, number>> {
  const cache = cacheFor(deps, line);
  const known = new Map<string, number>();
  const ask: string[] = [];
  for (const number of recipients) {
    const at = cache?.get(number);
    if (at !== undefined && at > nowMs - KNOWN_REFRESH_MS) known.set(number, at);
    else ask.push(number);
  }
  if (ask.length) {
    for (const [number, at] of await deps.store.readKnownContacts(line, ask)) {
      known.set(number, at);
      cache?.set(number, at);
    }
  }
  return known;
}
