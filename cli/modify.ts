import { requirePositionals } from './context.js';
import { queueAndReport } from './send.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

const COMMON = {
  from: { type: 'string' },
  id: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;
const COMMON_HELP = `Options:
  --from NUMBER     your Sendblue line (default: the stack's)
  --id ID           command_id (default: a new UUID)
  --wait            wait until the command is sent or failed
  --timeout SECONDS with --wait (default 30)

${GLOBAL_HELP}`;

function recipientCommand(name: 'add' | 'remove'): CliCommand {
  const verb = name === 'add' ? 'adds a member to' : 'removes a member from';
  return {
    name,
    summary: `${name === 'add' ? 'add a member to' : 'remove a member from'} a group`,
    options: COMMON,
    help: `Usage: cli ${name} GROUP_ID NUMBER [options]\n\nQueues a modify_group command that ${verb} the group.\n\n${COMMON_HELP}`,
    async run(ctx, values, positionals) {
      const [groupId, number] = requirePositionals(positionals, ['group_id', 'number'], name);
      const input = {
        group_id: groupId!,
        number: number!,
        command_id: values.id as string | undefined,
        from_number: values.from as string | undefined,
      };
      await queueAndReport(ctx, values, `${name} member`, (p) =>
        name === 'add' ? p.addRecipient(input) : p.removeRecipient(input),
      );
    },
  };
}

export const addCommand = recipientCommand('add');
export const removeCommand = recipientCommand('remove');

export const renameCommand: CliCommand = {
  name: 'rename',
  summary: 'rename a group',
  options: COMMON,
  help: `Usage: cli rename GROUP_ID NAME... [options]\n\nQueues a modify_group rename command.\n\n${COMMON_HELP}`,
  async run(ctx, values, positionals) {
    const [groupId, ...words] = requirePositionals(positionals, ['group_id', 'name'], 'rename');
    await queueAndReport(ctx, values, 'rename group', (p) =>
      p.renameGroup({
        group_id: groupId!,
        name: words.join(' '),
        command_id: values.id as string | undefined,
        from_number: values.from as string | undefined,
      }),
    );
  },
};
