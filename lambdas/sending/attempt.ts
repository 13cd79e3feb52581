import type { AttemptState, SenderPolicy } from './attempt-outcome.js';
import type { BreakerSettings, LineBreaker } from './line-breaker.js';
import type { PacingSettings } from './line-pacing.js';
import type { PreflightSettings } from './preflight.js';
import type { Logger } from '../platform/logger.js';
import type { MetricTally } from '../platform/metrics.js';
import type { AttemptStore, SendblueApi } from './ports.js';
import type { LineAdvice } from './line-advice.js';
import type { NewContactLimits } from './new-contact-quota.js';
import type { StatusRelay } from '../webhooks/ports.js';
import type { CommandItem, CommandState } from '../contract/items.js';

/** What a send or group-change attempt needs; built once per sender (sending/command-processor.ts). */
export interface AttemptDeps {
  store: AttemptStore;
  sendblue: SendblueApi;
  relay: StatusRelay;
  logger: Logger;
  settings: {
    fromNumber: string;
    statusCallbackUrl: () => Promise<string>;
    policy: SenderPolicy;
    pacing: PacingSettings;
    /** The lines' circuit breakers (line-breaker.ts). @default none: calls are never held (the sweep) */
    breaker?: BreakerSettings;
    /** The lines' new-contact quota (new-contact-quota.ts). @default none: not counted (the sweep, tests of other things) */
    newContacts?: NewContactLimits;
    /** Pre-flight rules' settings (preflight-facts.ts). @default refuse a new group with opted-out members, warn for a group_id */
    preflight?: PreflightSettings;
  };
  /** Sendblue's word on the lines (line-advice.ts), cached. @default none: no OFFLINE pause, no usage advice */
  lineAdvice?: LineAdvice;
  /** Numbers known to each line, per container (contact-gate.ts). @default none: read from the table each time */
  knownContacts?: KnownContactsCache;
  /** Probes and paused seconds per line. @default none */
  metrics?: MetricTally;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** Numbers each line is known to have messaged, per container (number -> when recorded; contact-gate.ts). */
export type KnownContactsCache = Map<string, Map<string, number>>;

/** One attempt at one command, holding its lease. `state` changes as the attempt learns. */
export interface Attempt {
  commandId: string;
  state: AttemptState;
  /** Unclear calls are looked up in Sendblue's list from here (minus clock skew). */
  checkSince: string;
  /** Sendblue accepted it earlier but recording failed: look it up by handle. */
  knownHandle?: string;
  /** A slot reserved by an earlier delivery. */
  keptSlot?: { at?: number; line?: string };
  /** The line's breaker as this attempt last saw it (from its slot reservation or a read). */
  breaker?: LineBreaker;
  /** This attempt holds the line's probe lease: its next call is the probe. */
  probing?: boolean;
  /** The command was riding out an outage: look at the breaker (a read) before taking a slot (a write). */
  waitedOnLine?: boolean;
  /** The send's recipients the line never messaged (contact-gate.ts), once counted. */
  newContacts?: string[];
  /** Recipients whose known-contact record is written once the send is accepted. */
  contactsToRemember?: string[];
  /** The ledger's state before this claim (`sending`: an earlier attempt stopped mid-way). */
  previousState?: CommandState;
}

/**
 * `full`: check first when needed, then call. `check-only`: only the check, never a call (the
 * sweep of unknown commands whose queue message is gone, docs/sending.md "Exactly once").
 */
export type AttemptMode = 'full' | 'check-only';

/** The attempt a claim starts, from what the ledger entry held before it. */
export function attemptFromLedger(
  commandId: string,
  previous: CommandItem | undefined,
  mustCheck: boolean,
  nowIso: string,
  receives?: number,
): Attempt {
  return {
    commandId,
    state: {
      maybeSent: mustCheck,
      failures: previous?.failures ?? 0,
      checkFailures: previous?.check_failures ?? 0,
      lastFailure: previous?.last_failure,
      outageSince: previous?.outage_since,
      outageFailures: previous?.outage_failures ?? 0,
      outageReason: previous?.outage_reason,
      receives,
    },
    checkSince: previous?.check_since ?? previous?.first_attempt_at ?? nowIso,
    knownHandle: previous?.message_handle,
    keptSlot: { at: previous?.slot_at, line: previous?.slot_line },
    waitedOnLine: previous?.outage_since !== undefined,
    previousState: previous?.state,
  };
}
