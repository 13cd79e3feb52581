import { itemKindOf } from '../contract/keys.js';
import { isE164, optOutKeyword } from '../contract/sendblue-rules.js';
import type { TableChange } from '../events/table-change.js';
import type { ContactSighting, OptChange } from './ports.js';

/**
 * What one change of the table says about contacts, decided from the change alone (no I/O):
 * the numbers it shows (sightings) and any opt-out or opt-in evidence. The webhook path writes
 * nothing more for contacts (docs/performance.md: one write request per new inbound message);
 * the contacts Lambda applies these from the stream (docs/table-design.md "Contacts").
 *
 * - A member's message (inbound, INSERT): its writer is seen; the other participants (our line,
 *   `sendblue_number`, left out) are seen; an opt-out keyword (STOP, ...) or START is evidence,
 *   and so is Sendblue's `opted_out: true` (the member's state once the message was read).
 * - Our message (outbound, INSERT by the sender): each recipient is seen and contacted from the line.
 * - A per-member refusal (`STATUS#DECLINED#<member>`, INSERT, `opted_out`): the member opted out.
 */
export interface ContactFacts {
  sightings: ContactSighting[];
  optChanges: OptChange[];
}

const NOTHING: ContactFacts = { sightings: [], optChanges: [] };
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/**
 * @param ourLines numbers that are never contacts (the stack's lines); a message's own line
 *   (`sendblue_number`, or `from_number` of ours) is left out in any case.
 */
export function contactFactsFor(change: TableChange, ourLines: ReadonlySet<string> = new Set()): ContactFacts {
  if (change.kind !== 'INSERT' || !change.newImage) return NOTHING;
  const item = change.newImage;
  const facts =
    itemKindOf(change.pk, change.sk) === 'message'
      ? item.direction === 'inbound'
        ? memberMessage(item)
        : ourMessage(item)
      : itemKindOf(change.pk, change.sk) === 'status'
        ? memberRefusal(item)
        : NOTHING;
  if (!ourLines.size) return facts;
  return {
    sightings: facts.sightings.filter((sighting) => !ourLines.has(sighting.number)),
    optChanges: facts.optChanges.filter((optChange) => !ourLines.has(optChange.number)),
  };
}

function memberMessage(item: Record<string, unknown>): ContactFacts {
  const from = text(item.from_number);
  const at = text(item.date_sent) ?? text(item.received_at);
  if (!from || !isE164(from) || !at) return NOTHING;
  const line = text(item.sendblue_number);
  const others = Array.isArray(item.participants) ? item.participants.filter(isE164) : [];
  const sightings = [...new Set([from, ...others])]
    .filter((number) => number !== line)
    .map((number) => ({ number, at }));
  const optChanges: OptChange[] = [];
  // A tapback's text (`Loved “STOP”`) is never a keyword; tapbacks are not stored as messages anyway.
  const keyword = typeof item.content === 'string' ? optOutKeyword(item.content) : undefined;
  if (keyword) optChanges.push({ number: from, at, optedOut: keyword === 'opt-out', by: 'keyword' });
  // Only `true` is evidence: `false` is on every message, and Sendblue lifts an opt-out only on START
  // (a keyword, above), so taking it would cost a write per message and say nothing new.
  else if (item.opted_out === true) optChanges.push({ number: from, at, optedOut: true, by: 'webhook_flag' });
  return { sightings, optChanges };
}

function ourMessage(item: Record<string, unknown>): ContactFacts {
  const line = text(item.from_number);
  const at = text(item.date_sent) ?? text(item.received_at);
  if (!at || !Array.isArray(item.participants)) return NOTHING;
  const sightings = [...new Set(item.participants.filter(isE164))]
    .filter((number) => number !== line)
    .map((number) => ({ number, at, ...(line ? { contactedFrom: line } : {}) }));
  return { sightings, optChanges: [] };
}

function memberRefusal(item: Record<string, unknown>): ContactFacts {
  const member = text(item.member);
  const at = text(item.date_updated) ?? text(item.received_at);
  if (!member || !isE164(member) || !at || item.opted_out !== true) return NOTHING;
  return { sightings: [{ number: member, at }], optChanges: [{ number: member, at, optedOut: true, by: 'declined' }] };
}
