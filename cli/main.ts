/**
 * The CLI (`npm run cli -- <command>`, or the `sendblue-groups` bin). Exit codes: 0 ok, 1 usage or
 * validation error (nothing was sent), 2 remote or network failure (including an unknown id: 404)
 * or a command that was not sent (failed, or a tapback unknown for good: `status`, `--wait`).
 */
import { closest } from './closest.js';
import { createContext, EXIT, helpHint, parse, toCliError, usageError, type CliIo } from './context.js';
import { addCommand, removeCommand, renameCommand } from './modify.js';
import { backfillCommand } from './backfill.js';
import { contactsCommand } from './contacts.js';
import { dlqCommand } from './dlq.js';
import { eventsCommand } from './events.js';
import { groupCommand, historyCommand, statusCommand } from './read.js';
import { linesCommand } from './lines.js';
import { reactCommand } from './react.js';
import { sendCommand } from './send.js';
import { setupCommand } from './setup/command.js';
import { ownPackageJson } from './package-json.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

export const COMMANDS: CliCommand[] = [
  sendCommand,
  addCommand,
  removeCommand,
  renameCommand,
  reactCommand,
  statusCommand,
  groupCommand,
  historyCommand,
  linesCommand,
  contactsCommand,
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

Exit codes: 0 ok; 1 usage or validation error (nothing sent); 2 remote or network failure, or a
command that failed (status, --wait; a tapback unknown for good too) or did not settle in time.
Help for one command: npm run cli -- help <command> (or <command> --help)
Version: npm run cli -- --version`;

/** The version in sendblue-groups' package.json. */
export const cliVersion = (): string => ownPackageJson().version;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, ...afterFirst] = argv;
  if (first === '--version' || first === '-v') {
    io.out(afterFirst.includes('--json') ? JSON.stringify({ version: cliVersion() }) : cliVersion());
    return EXIT.ok;
  }
  // `help send` is `send --help`; `help` alone, or no command, the main help.
  const [name, ...rest] = first === 'help' && afterFirst[0] ? [afterFirst[0], '--help'] : argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(MAIN_HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const json = rest.includes('--json');
  try {
    if (!command) throw unknownCommand(name);
    const { values, positionals } = parse(rest, command.options, command.name);
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

function unknownCommand(name: string) {
  const names = COMMANDS.map((c) => c.name);
  const suggestion = name.startsWith('-') ? undefined : closest(name, names);
  const what = name.startsWith('-')
    ? `unknown option '${name}' before a command (options go after it: npm run cli -- <command> [options])`
    : `unknown command "${name}"`;
  return usageError(
    `${what}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; commands: ${names.join(', ')} (see: ${helpHint()})`,
  );
}
