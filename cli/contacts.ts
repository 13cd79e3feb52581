import { createReader } from '../client/reader.js';
import type { ContactView } from '../lambdas/contract/views.js';
import { helpHint, requirePositionals, usageError, type CommandContext } from './context.js';
import { commandLines, shortTime } from './format.js';
import { queueAndReport } from './send.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

/** One page of `GET /contacts?opted_out=true`. */
interface OptedOutPage {
  contacts: Array<{ number: string; opted_out_since: string }>;
  next_cursor: string | null;
}

const ACTIONS = { 'opt-out': true, 'opt-in': false } as const;
type Action = keyof typeof ACTIONS;
const isAction = (word: string | undefined): word is Action => word !== undefined && Object.hasOwn(ACTIONS, word);

/** A contact as `contacts NUMBER` shows it (and `contacts opt-out NUMBER --wait` once it is done). */
export function contactLines(contact: ContactView): string[] {
  return [
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
  ];
}

const getContact = async (ctx: CommandContext, number: string) =>
  createReader(await ctx.target()).get<ContactView>(`/contacts/${encodeURIComponent(number)}`);

export const contactsCommand: CliCommand = {
  name: 'contacts',
  summary: 'a contact (seen, contacted, opted out), every opted-out contact, or opt one out or in',
  options: {
    'opted-out': { type: 'boolean' },
    id: { type: 'string' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  help: `Usage: cli contacts NUMBER
       cli contacts --opted-out
       cli contacts opt-out NUMBER [--id ID] [--wait [--timeout SECONDS]]
       cli contacts opt-in NUMBER [--id ID] [--wait [--timeout SECONDS]]

A contact is every number the stack has seen (members, senders, recipients), recorded from the
table's stream (docs/table-design.md "Contacts").
  NUMBER          GET /contacts/{number}: first and last seen, the lines that messaged it, opted
                  out (from a STOP, Sendblue's opted_out flag, a refused group message, or a
                  command) or back in
  --opted-out     GET /contacts?opted_out=true: every opted-out contact, newest first (all pages)
  opt-out NUMBER  queue a set_contact_opt command that marks the contact opted out: pre-flight then
                  keeps it from new groups. Sendblue is not called (it has no opt-out API) and does
                  not learn of it
  opt-in NUMBER   the same, back in: pre-flight lets it into new groups again (Sendblue still skips a
                  number that texted STOP until it texts START)

The command is dated when it is queued: a STOP or START the number texts after that still wins
(the command then settles sent, with a note that it was not applied). One of your own lines is
refused (failed). Recorded as opted_out_by / opted_in_by "command" (docs/sending.md "Contact
opt-outs").

Options (opt-out, opt-in):
  --id ID           command_id (default: a new UUID); repeating an id never applies it twice
  --wait            wait until the command is applied (or failed: exit 2), then show the contact
  --timeout SECONDS with --wait (default 30)

Numbers are shown in full (they are yours).

${GLOBAL_HELP}

Example: npm run cli -- contacts opt-out +15551230001 --wait`,
  async run(ctx, values, positionals) {
    if (isAction(positionals[0])) return setOpt(ctx, values, positionals[0], positionals.slice(1));
    if (values.id !== undefined || values.wait || values.timeout !== undefined)
      throw usageError(`contacts: --id, --wait and --timeout go with opt-out or opt-in (see: ${helpHint('contacts')})`);
    if (values['opted-out']) {
      if (positionals.length) throw usageError('contacts --opted-out takes no NUMBER');
      const reader = createReader(await ctx.target());
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
    const [number, ...rest] = requirePositionals(positionals, ['number'], 'contacts');
    if (rest.length)
      throw usageError(
        `contacts: one NUMBER, got also "${rest.join(' ')}"; to change a contact: contacts opt-out NUMBER or contacts opt-in NUMBER (see: ${helpHint('contacts')})`,
      );
    const contact = await getContact(ctx, number!);
    ctx.print(contact, () => contactLines(contact));
  },
};

/** `contacts opt-out|opt-in NUMBER`: a set_contact_opt on the queue; with --wait, the contact once it is applied. */
async function setOpt(
  ctx: CommandContext,
  values: Record<string, string | boolean | string[] | undefined>,
  action: Action,
  positionals: string[],
): Promise<void> {
  if (values['opted-out'])
    throw usageError(`contacts ${action}: --opted-out is for listing (see: ${helpHint('contacts')})`);
  const [number, ...rest] = requirePositionals(positionals, ['number'], `contacts ${action}`);
  if (rest.length) throw usageError(`contacts ${action}: one NUMBER, got also "${rest.join(' ')}"`);
  await queueAndReport(
    ctx,
    values,
    `contact ${action}`,
    (producer) =>
      producer.setContactOpt({
        number: number!,
        opted_out: ACTIONS[action],
        command_id: values.id as string | undefined,
      }),
    async (command) => {
      const contact = await getContact(ctx, number!);
      return {
        json: { command, contact },
        lines: [...commandLines(command, ctx.hint), ...contactLines(contact)],
      };
    },
  );
}
