/** The CloudFormation stack's default name (docs/contract.md §2): the stack, the CLI and the client agree on it. */
export const DEFAULT_STACK_NAME = 'SendblueGroups';
