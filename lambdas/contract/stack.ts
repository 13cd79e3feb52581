/** The CloudFormation stack's default name (docs/contract.md §2): the stack, the CLI and the client agree on it. */
export const DEFAULT_STACK_NAME = 'SendblueGroups';

/**
 * The tag each Lambda function of the stack carries, valued with its handler's name (`ingest`,
 * `read`, `sender`, `events`, `media`, `backfill`): how the sandbox's bundles mode and
 * `npm run verify:deploy` find a function in the synthesized template (logical ids may change).
 */
export const HANDLER_TAG = 'sendblue-groups:handler';
