/**
 * The CLI (`npm run cli -- <command>`, or the `sendblue-groups` bin). Exit codes: 0 ok, 1 usage or
 * validation error (nothing was sent), 2 remote or network failure (including an unknown id: 404).
 */
import { createContext, EXIT, parse, toCliError, usageError, type CliIo } from './context';
import { addCommand, removeCommand, renameCommand } from './modify';
import { backfillCommand } from './backfill';
import { dlqCommand } from './dlq';
import { eventsCommand } from './events';
import { groupCommand, historyCommand, statusCommand } from './read';
import { sendCommand } from './send';
import { setupCommand } from './setup/command';
import { GLOBAL_HELP, type CliCommand } from './types';

export const COMMANDS: CliCommand[] = [
  sendCommand,
  addCommand,
  removeCommand,
  renameCommand,
  statusCommand,
  groupCommand,
  historyCommand,
  dlqCommand,
  setupCommand,
  eventsCommand,
  backfillCommand,
];

const MAIN_HELP = `Usage: npm run cli -- <command> [options]

Talks to the local sandbox (npm start) by default; --stack NAME / --aws / SENDBLUE_GROUPS_STACK
select a deployed stack.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}

${GLOBAL_HELP}

Exit codes: 0 ok, 1 usage or validation error (nothing sent), 2 remote or network failure.
Help for one command: npm run cli -- <command> --help`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(MAIN_HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const json = rest.includes('--json');
  try {
    if (!command)
      throw usageError(`unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see: --help)`);
    const { values, positionals } = parse(rest, command.options);
    if (values.help) {
      io.out(command.help);
      return EXIT.ok;
    }
    await command.run(
      createContext(io, values),
      values as Record<string, string | boolean | string[] | undefined>,
      positionals,
    );
    return EXIT.ok;
  } catch (error) {
    const failure = toCliError(error);
    const { exitCode } = failure;
    if (json) {
      if (!failure.reported) io.out(JSON.stringify({ error: failure.message, exit_code: exitCode }));
    } else io.err(`error: ${failure.message}`);
    return exitCode;
  }
}
