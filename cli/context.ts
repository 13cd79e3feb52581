/**
 * What every CLI command shares: exit codes, errors, argument parsing, the target (sandbox or a
 * deployed stack) and output (human lines, or JSON only with --json).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CommandValidationError } from '../client/commands';
import { RemoteError } from '../client/reader';
import { awsTarget, sandboxTarget, TargetError, type Target } from '../client/target';

/** 0 ok; 1 usage or validation error (nothing was sent); 2 remote or network failure. */
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
}

export interface CommandContext {
  io: CliIo;
  json: boolean;
  /** Resolved on first use (a deployed stack costs a CloudFormation call). */
  target(): Promise<Target>;
  /** Prints the JSON value with --json, the human text otherwise. */
  print(value: unknown, human: () => string | string[]): void;
}

/** Options every command accepts. */
const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  stack: { type: 'string' },
  aws: { type: 'boolean' },
  region: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
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
        .join(' ')} (see: cli ${command} --help)`,
    );
  }
  return positionals;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
