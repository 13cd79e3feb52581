/**
 * The account's lines and their health, as `GET /api/v2/lines/state` reports it (SDK 3.17
 * `client.lines.getState`: ONLINE / DEGRADED / OFFLINE, when it changed, since when degraded).
 * A test or a shell switches a line's state; every line starts ONLINE.
 */
import { isLineStatus, type LineStatus } from '../../lambdas/contract/sendblue-rules.js';

interface LineHealth {
  status: LineStatus;
  changedAt: string | null;
  degradedSince: string | null;
}

export class LineBook {
  private readonly health = new Map<string, LineHealth>();

  constructor(readonly numbers: readonly string[]) {
    this.clear();
  }

  has(line: string): boolean {
    return this.health.has(line);
  }

  status(line: string): LineStatus {
    return this.health.get(line)?.status ?? 'OFFLINE';
  }

  /** Throws for a number that is not a line of the account or a state Sendblue does not report. */
  set(line: string, status: LineStatus): void {
    const current = this.health.get(line);
    if (!current) throw new TypeError(`${line} is not a line of this account`);
    if (!isLineStatus(status)) throw new TypeError('state must be ONLINE, DEGRADED or OFFLINE');
    if (current.status === status) return;
    const now = new Date().toISOString();
    this.health.set(line, {
      status,
      changedAt: now,
      degradedSince: status === 'DEGRADED' ? now : null,
    });
  }

  /** Every line ONLINE again, with no history. */
  clear(): void {
    this.health.clear();
    for (const line of this.numbers) this.health.set(line, { status: 'ONLINE', changedAt: null, degradedSince: null });
  }

  /** The body of `GET /api/v2/lines/state`, in the SDK's shape. */
  snapshot(): Record<string, unknown> {
    return {
      status: 'OK',
      snapshot_at: new Date().toISOString(),
      data: this.numbers.map((line, index) => {
        const health = this.health.get(line) as LineHealth;
        return {
          assignment: 'assigned',
          sendblue_number: line,
          status: health.status,
          // Sendblue names the device behind a line; the simulator has one per line.
          worker_id: `simulator-worker-${index + 1}`,
          degraded_since: health.degradedSince,
          effective_until: null,
          status_changed_at: health.changedAt,
        };
      }),
    };
  }
}
