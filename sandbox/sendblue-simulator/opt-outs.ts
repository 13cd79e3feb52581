/**
 * Who has opted out of the account's messages: a member who writes STOP (or another keyword of
 * OPT_OUT_KEYWORDS), or a number opted out through `POST /api/v2/contacts/opt-out`, until START
 * (or `opted_out: false`). Sendblue keeps it per account, not per line or group.
 */
import { optOutKeyword } from '../../lambdas/contract/sendblue-rules.js';

export class OptOuts {
  private readonly numbers = new Set<string>();

  has(number: string): boolean {
    return this.numbers.has(number);
  }

  set(number: string, optedOut: boolean): void {
    if (optedOut) this.numbers.add(number);
    else this.numbers.delete(number);
  }

  /** What a member's message does: a keyword opts them out or back in; anything else changes nothing. Answers their state after it. */
  read(number: string, content: string): boolean {
    const keyword = optOutKeyword(content);
    if (keyword) this.set(number, keyword === 'opt-out');
    return this.has(number);
  }

  list(): string[] {
    return [...this.numbers];
  }

  clear(): void {
    this.numbers.clear();
  }
}
