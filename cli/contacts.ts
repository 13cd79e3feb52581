import { createReader } from '../client/reader.js';
import type { ContactView } from '../lambdas/contract/views.js';
import { requirePositionals, usageError } from './context.js';
import { shortTime } from './format.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

/** One page of `GET /contacts?opted_out=true`. */
interface OptedOutPage {
  contacts: Array<{ number: string; opted_out_since: string }>;
  next_cursor: string | null;
}

export const contactsCommand: CliCommand = {
  name: 'contacts',
  summary: 'a contact (seen, contacted, opted out), or every opted-out contact',
  options: { 'opted-out': { type: 'boolean' } },
  help: `Usage: cli contacts NUMBER
       cli contacts --opted-out

A contact is every number the stack has seen (members, senders, recipients), recorded from the
table's stream (docs/table-design.md "Contacts").
  NUMBER       GET /contacts/{number}: first and last seen, the lines that messaged it, opted out
               (from a STOP, Sendblue's opted_out flag or a refused group message) or back in
  --opted-out  GET /contacts?opted_out=true: every opted-out contact, newest first (all pages)

Numbers are shown in full (they are yours).

${GLOBAL_HELP}`,
  async run(ctx, values, positionals) {
    const reader = createReader(await ctx.target());
    if (values['opted-out']) {
      if (positionals.length) throw usageError('contacts --opted-out takes no NUMBER');
      const contacts: OptedOutPage['contacts'] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page: OptedOutPage = await reader.get<OptedOutPage>(`/contacts?opted_out=true&limit=100${query}`);
        contacts.push(...page.contacts);
        cursor = page.next_cursor;
      } while (cursor);
      return ctx.print({ contacts }, () =>
        contacts.length
          ? contacts.map((contact) => `${contact.number}  opted out ${shortTime(contact.opted_out_since)}`)
          : ['no contact has opted out'],
      );
    }
    const [number] = requirePositionals(positionals, ['number'], 'contacts');
    const contact = await reader.get<ContactView>(`/contacts/${encodeURIComponent(number!)}`);
    ctx.print(contact, () => [
      `contact ${contact.number}${contact.opted_out ? '  OPTED OUT' : ''}`,
      `  first seen    ${shortTime(contact.first_seen)}`,
      `  last seen     ${shortTime(contact.last_seen)}`,
      `  contacted     ${contact.contacted.map((c) => `${c.line} since ${shortTime(c.first_at)}`).join(', ') || '-'}`,
      ...(contact.opted_out_at
        ? [`  opted out     ${shortTime(contact.opted_out_at)} (${contact.opted_out_by ?? '?'})`]
        : []),
      ...(contact.opted_in_at
        ? [`  opted back in ${shortTime(contact.opted_in_at)} (${contact.opted_in_by ?? '?'})`]
        : []),
    ]);
  },
};
