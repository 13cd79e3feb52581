import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * CDK leaves a construct with the id `Default` out of logical ids and generated names; this repo's
 * stack holds the SendblueGroups construct under that id so its resources keep the ids they had
 * before the construct existed. Descriptions leave it out too, so they read (and stay) the same.
 */
const HIDDEN_ID = 'Default';

/** The construct path as CDK's ids see it: `SendblueGroups/IngestFunction`, not `.../Default/...`. */
export const readablePath = (scope: IConstruct): string =>
  scope.node.path
    .split('/')
    .filter((part) => part !== HIDDEN_ID)
    .join('/');

/**
 * The prefix of names that must be unique in an account and region (alarms, the dashboard) and of
 * the API's name: the stack name, then the path of `scope` inside the stack (`MyApp-Messaging`),
 * in characters every one of those names allows. Directly under `Default` it is the stack name.
 */
export function namePrefixOf(scope: IConstruct): string {
  return [Stack.of(scope).stackName, ...pathInStack(scope)]
    .map((part) => part.replace(/[^A-Za-z0-9_-]/g, ''))
    .join('-');
}

/**
 * What goes before a fixed logical id (`ApiCredentials`) so that two instances in one stack do
 * not collide: the path inside the stack in letters and digits (`Messaging`), empty directly
 * under `Default`.
 */
export const logicalIdPrefixOf = (scope: IConstruct): string =>
  pathInStack(scope)
    .map((part) => part.replace(/[^A-Za-z0-9]/g, ''))
    .join('');

/** The ids from the stack down to `scope`, `Default` left out. */
function pathInStack(scope: IConstruct): string[] {
  return scope.node.scopes
    .slice(Stack.of(scope).node.scopes.length)
    .map((construct) => construct.node.id)
    .filter((id) => id !== HIDDEN_ID);
}
