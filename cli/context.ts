/**
 * What every CLI command shares: exit codes, errors, argument parsing, the target (sandbox or a
 * deployed stack) and output (human lines, or JSON only with --json).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CommandValidationError } from '../client/commands.js';
import { RemoteError } from '../client/reader.js';
import { awsTarget, sandboxTarget, TargetError, type Target } from '../client/target.js';
import { sandboxCliPrefix, shellWord } from '../sandbox/cli-prefix.js';
import { readPort } from '../sandbox/config.js';
import { closest } from './closest.js';

/** A word as a shell reads it back (sandbox/cli-prefix.ts: the banner's prefix uses it too). */
export { shellWord };

/** 0 ok; 1 usage or validation error (nothing was sent); 2 remote or network failure, or a command that was not sent. */
export const EXIT = { ok: 0, usage: 1, remote: 2 } as const;

export class CliError extends Error {
  /** `reported`: the outcome was already printed (as JSON with --json), so only the exit code is left. */
  constructor(
    message: string,
    readonly exitCode: number,
    readonly reported = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
export const usageError = (message: string) => new CliError(message, EXIT.usage);

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /**
   * Asks for one value without echoing it (`setup`'s API credentials); undefined when nobody can
   * be asked. bin/cli.ts reads the terminal (or piped stdin: one line per value).
   */
  readSecret?(label: string): Promise<string>;
  /**
   * stdout is a terminal (bin/cli.ts: process.stdout.isTTY): `--wait` then prints the command's
   * progress as it changes. Never when piped, so scripts and --json read the same output as ever.
   */
  isTTY?: boolean;
  /**
   * Standard input, for a message read from it (`send --content-file -`); bin/cli.ts gives
   * process.stdin. `isTTY`: it is a terminal (the user types the message, ending it with Ctrl-D).
   */
  stdin?: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
}

export interface CommandContext {
  io: CliIo;
  json: boolean;
  /** Resolved on first use (a deployed stack costs a CloudFormation call). */
  target(): Promise<Target>;
  /** Prints the JSON value with --json, the human text otherwise. */
  print(value: unknown, human: () => string | string[]): void;
  /**
   * A command line to paste, against the target in use: `hint('status', id)` ->
   * `SANDBOX_PORT=3100 npm run cli -- status <id>` or `npm run cli -- status <id> --stack NAME`.
   * Every hint the CLI prints is built with it.
   */
  hint(...args: string[]): string;
  /** Human output on a terminal: `--wait` shows progress. */
  showsProgress: boolean;
}

/** Options every command accepts. */
const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  stack: { type: 'string' },
  aws: { type: 'boolean' },
  region: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** `npm run cli -- send --help`: help is the same on every target, so it carries none. */
export const helpHint = (command?: string) => `npm run cli -- ${command ? `${command} ` : ''}--help`;

/** What `parse` returns, named so the package's compiled types (`npm run build`) can spell it. */
type Parsed<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof GLOBAL_OPTIONS & O; allowPositionals: true; strict: true }>
>;

/**
 * Parses one command's arguments. An unknown option names the command, the closest known option
 * when one is near (a typo), and where the help is.
 */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  command = '',
): Parsed<O> {
  const all = { ...GLOBAL_OPTIONS, ...options };
  const seeHelp = `see: ${helpHint(command)}`;
  const unknown = unknownOption(args, all);
  if (unknown) {
    const suggestion = unknown.startsWith('--') ? closest(unknown.slice(2), Object.keys(all)) : undefined;
    throw usageError(
      `unknown option '${unknown}'${command ? ` for ${command}` : ''}${suggestion ? ` (did you mean --${suggestion}?)` : ''} (${seeHelp})`,
    );
  }
  try {
    return parseArgs({ args, options: all, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(`${error instanceof Error ? error.message : String(error)} (${seeHelp})`);
  }
}

/** The first option that is none of `options` (as typed), found without failing on it. */
function unknownOption(args: string[], options: NonNullable<ParseArgsConfig['options']>): string | undefined {
  const shorts = new Set(Object.values(options).flatMap((option) => (option.short ? [option.short] : [])));
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = token.rawName.startsWith('--') ? token.name in options : shorts.has(token.name);
    if (!known) return token.rawName;
  }
  return undefined;
}

export function createContext(
  io: CliIo,
  values: { json?: boolean; stack?: string; aws?: boolean; region?: string },
): CommandContext {
  let target: Promise<Target> | undefined;
  const deployed = selectsDeployedStack(values, io.env);
  return {
    io,
    json: values.json === true,
    showsProgress: io.isTTY === true && values.json !== true,
    hint: cliHint(values, io.env),
    target: () =>
      (target ??= deployed
        ? awsTarget({ stackName: values.stack, region: values.region, env: io.env })
        : Promise.resolve(sandboxTarget(io.env))),
    print(value, human) {
      if (values.json) return io.out(JSON.stringify(value, null, 2));
      const text = human();
      for (const line of Array.isArray(text) ? text : [text]) io.out(line);
    },
  };
}

/** --stack NAME, --aws (the default stack) or SENDBLUE_GROUPS_STACK select a deployed stack; else the sandbox. */
export function selectsDeployedStack(values: { stack?: string; aws?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return values.stack !== undefined || values.aws === true || Boolean(env.SENDBLUE_GROUPS_STACK);
}

/**
 * How to run the CLI again against the same target. The sandbox: every env var the CLI reaches it
 * with (its ports, SENDBLUE_BASE_URL) when it is not the default, read as sandboxTarget and setup
 * read them (sandboxCliPrefix: the same prefix the banner prints). A deployed stack: the flags the
 * user gave (--stack NAME or --aws, --region R); a stack chosen by SENDBLUE_GROUPS_STACK or the URL
 * env vars needs nothing, since those are still set in the user's shell.
 */
export function cliHint(
  values: { stack?: string; aws?: boolean; region?: string },
  env: NodeJS.ProcessEnv,
): (...args: string[]) => string {
  if (!selectsDeployedStack(values, env)) {
    const prefix = sandboxCliPrefix({
      port: readPort(env, 'port').value,
      sqsPort: readPort(env, 'sqsPort').value,
      simulatorPort: readPort(env, 'simulatorPort').value,
      sendblueBaseUrl: env.SENDBLUE_BASE_URL?.trim() || undefined,
    });
    return (...args) => [prefix, ...args.map(shellWord)].join(' ');
  }
  const flags = values.stack !== undefined ? ['--stack', values.stack] : values.aws ? ['--aws'] : [];
  if (values.region !== undefined) flags.push('--region', values.region);
  return (...args) => ['npm run cli --', ...[...args, ...flags].map(shellWord)].join(' ');
}

/** Maps any error to a message and an exit code. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof CommandValidationError) return new CliError(`invalid command: ${error.message}`, EXIT.usage);
  if (error instanceof TargetError) return new CliError(error.message, error.remote ? EXIT.remote : EXIT.usage);
  if (error instanceof RemoteError) return new CliError(error.message, EXIT.remote);
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(message, EXIT.remote);
}

export function requirePositionals(positionals: string[], names: string[], command: string): string[] {
  if (positionals.length < names.length) {
    throw usageError(
      `${command}: missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')} (see: ${helpHint(command)})`,
    );
  }
  return positionals;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
