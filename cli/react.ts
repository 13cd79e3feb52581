import { createReader, RemoteError } from '../client/reader.js';
import type { MessageDetailView } from '../lambdas/contract/views.js';
import { REACTIONS, type Reaction } from '../lambdas/contract/sendblue-rules.js';
import { helpHint, requirePositionals, usageError, type CommandContext } from './context.js';
import { queueAndReport } from './send.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

/**
 * The group of the message, when the read API has it: the tapback then queues in that group's FIFO
 * order. Anything else (not stored, not reachable) is no reason to refuse: it queues under the
 * message handle instead (messageGroupIdFor).
 */
async function groupOfMessage(ctx: CommandContext, handle: string): Promise<string | undefined> {
  try {
    const message = await createReader(await ctx.target()).get<MessageDetailView>(
      `/messages/${encodeURIComponent(handle)}`,
    );
    return message.group_id ?? undefined;
  } catch (error) {
    if (error instanceof RemoteError) return undefined;
    throw error;
  }
}

export const reactCommand: CliCommand = {
  name: 'react',
  summary: 'send a tapback (love, like, ...) on a message',
  options: {
    part: { type: 'string' },
    from: { type: 'string' },
    id: { type: 'string' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  help: `Usage: cli react MESSAGE_HANDLE REACTION [--part N] [--from +1555...] [--wait]

Queues a send_reaction command: a tapback from your line on a message (one a member wrote, or one
you sent). REACTION is one of ${REACTIONS.join(', ')}. MessageGroupId is the message's group
when the read API knows the message (so the tapback keeps its place among the group's commands),
else the message handle.

Sendblue cannot be asked whether it took a tapback (it returns no handle and lists none). So a
call whose answer was lost is never repeated: the command then ends "unknown" for good, with the
reason; queue a new one to react again. Tapbacks show in \`history\` and GET /messages/{handle}.

Options:
  --part N          which part of a multi-part message (text and pictures), from 0 (default 0)
  --from NUMBER     your Sendblue line (default: the stack's)
  --id ID           command_id (default: a new UUID); repeating an id never reacts twice
  --wait            wait until the command settles: sent; failed (exit 2); unknown for good (exit 2)
  --timeout SECONDS with --wait (default 30)

${GLOBAL_HELP}

Example: npm run cli -- react 5B0E7C2A-91D4-4C3E-8F00-2A3B4C5D6E7F love --wait`,
  async run(ctx, values, positionals) {
    const [handle, reaction, ...rest] = requirePositionals(positionals, ['message_handle', 'reaction'], 'react');
    if (rest.length)
      throw usageError(`react: one message and one reaction, got also "${rest.join(' ')}" (see: ${helpHint('react')})`);
    if (!(REACTIONS as readonly string[]).includes(reaction!))
      throw usageError(`react: the reaction must be one of ${REACTIONS.join(', ')} (got "${reaction}")`);
    let part: number | undefined;
    if (values.part !== undefined) {
      part = /^\d{1,4}$/.test(String(values.part)) ? Number(values.part) : Number.NaN;
      // The limit itself is checked by the command's validator, with its wording.
      if (Number.isNaN(part)) throw usageError(`react: --part must be a whole number from 0 (got "${values.part}")`);
    }
    const groupId = await groupOfMessage(ctx, handle!);
    await queueAndReport(ctx, values, 'tapback', (producer) =>
      producer.sendReaction(
        {
          message_handle: handle!,
          reaction: reaction as Reaction,
          part_index: part,
          command_id: values.id as string | undefined,
          from_number: values.from as string | undefined,
        },
        { groupId },
      ),
    );
  },
};
