/**
 * The AWS SDK prints a 9-line NodeVersionSupportWarning once per process on Node < 22, when the
 * first SDK client is created (or an STS/SSO client while credentials are resolved). The client
 * library must not be the one that prints it: the versions it pins support Node 20. Yet the
 * user's own SDK clients in the same process must still warn as they would without us, so the
 * library does not set AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED (that would silence the
 * whole process, for good).
 *
 * Instead, while the library creates a client or resolves credentials, the SDK's own "already
 * warned" flag (`state.warningEmitted` of @aws-sdk/core/client, the copy each SDK package loads)
 * is held at true, and afterwards put back to what it was. The user's first own client then warns
 * exactly as it would have. One overlap remains: a user client created while one of our credential
 * resolutions is in flight (an await) gets no warning then; the next one does.
 */
import { createRequire } from 'node:module';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

interface WarningState {
  warningEmitted: boolean;
}

/** The SDK packages the client library creates clients from (each may carry its own @aws-sdk/core). */
const SDK_PACKAGES = [
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-cloudformation',
  '@aws-sdk/client-lambda',
  '@aws-sdk/credential-provider-node',
] as const;

const requireHere = createRequire(import.meta.url);
let states: WarningState[] | undefined;

/** The warning flag of every @aws-sdk/core copy our SDK packages load (normally one). */
function warningStates(): WarningState[] {
  if (states) return states;
  const found = new Set<WarningState>();
  for (const name of SDK_PACKAGES) {
    try {
      const entry = requireHere.resolve(name);
      const core = createRequire(entry)('@aws-sdk/core/client') as { state?: Partial<WarningState> };
      if (typeof core.state?.warningEmitted === 'boolean') found.add(core.state as WarningState);
    } catch {
      // Not installed or another layout: nothing to hold for it (at worst the SDK warns).
    }
  }
  states = [...found];
  return states;
}

let holds = 0;
let saved: Array<[WarningState, boolean]> = [];

function hold(): void {
  if (holds++ > 0) return;
  saved = warningStates().map((state) => [state, state.warningEmitted]);
  for (const [state] of saved) state.warningEmitted = true;
}

function release(): void {
  if (--holds > 0) return;
  for (const [state, before] of saved) state.warningEmitted = before;
  saved = [];
}

/** Runs `create` (an SDK client's constructor) without the SDK's Node version warning. */
export function quietly<T>(create: () => T): T {
  hold();
  try {
    return create();
  } finally {
    release();
  }
}

/**
 * A credential provider whose calls hold the warning back too: resolving a profile with a role or
 * SSO creates STS or SSO clients inside the SDK.
 */
export function quietProvider(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  return async (options) => {
    hold();
    try {
      return (await provider(options)) as AwsCredentialIdentity;
    } finally {
      release();
    }
  };
}

/**
 * The SDK's default credential chain, quiet: for an SDK client's `credentialDefaultProvider`
 * (the client hands it its own settings, so the chain behaves as the client's default would).
 */
export const quietDefaultProvider = (init?: Parameters<typeof defaultProvider>[0]): AwsCredentialIdentityProvider =>
  quietProvider(defaultProvider(init));
