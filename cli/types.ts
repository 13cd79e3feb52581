import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_STACK_NAME } from '../lambdas/contract/stack.js';
import type { CommandContext } from './context.js';

export interface CliCommand {
  name: string;
  summary: string;
  /** Full `--help` text (usage, options, examples). */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(
    ctx: CommandContext,
    values: Record<string, string | boolean | string[] | undefined>,
    positionals: string[],
  ): Promise<void>;
}

export const GLOBAL_HELP = `Global options:
  --json            print machine-readable JSON only
  --stack NAME      use a deployed stack (its CloudFormation outputs); also SENDBLUE_GROUPS_STACK
  --aws             use the deployed stack ${DEFAULT_STACK_NAME}
  --region REGION   AWS region (default: AWS_REGION)
  -h, --help        this help`;
