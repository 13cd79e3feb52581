/**
 * Which of the account's lines acts for a call about a group, and whether it may act now.
 * Sendblue (SDK 3.17, modify-group): `from_number` must be a line already in the group; without
 * it, the group's only line acts, several lines are `ambiguous_sending_line`.
 */
import { type ApiResult, errorResult, invalidResult } from './answers.js';
import type { ApiContext } from './context.js';
import type { SimGroup } from './types.js';

/** Refusing a line that is OFFLINE: 503, as a line gone from Sendblue's side (our choice; see README.md). */
export function offlineLine(ctx: Pick<ApiContext, 'lines'>, line: string): ApiResult | undefined {
  if (ctx.lines.status(line) !== 'OFFLINE') return undefined;
  return errorResult(
    { status: 503, error: 'line_offline', message: 'The sending line is OFFLINE: it cannot act now; try again later' },
    { line, line_state: 'OFFLINE' },
  );
}

export const ambiguousLine = (group: SimGroup): ApiResult =>
  errorResult(
    {
      status: 400,
      error: 'ambiguous_sending_line',
      message: `ambiguous_sending_line: ${group.lines.length} of your lines are in group ${group.group_id}; give from_number`,
    },
    { lines: [...group.lines] },
  );

/**
 * The line that acts on the group: `from_number` when it is one of the group's lines, else the
 * group's only line. A result is the refusal.
 */
export function lineInGroup(group: SimGroup, fromNumber: string | undefined): string | ApiResult {
  if (fromNumber !== undefined) {
    return group.lines.includes(fromNumber)
      ? fromNumber
      : invalidResult(
          `line_not_registered: from_number is not one of your lines in group ${group.group_id}`,
          'line_not_registered',
        );
  }
  if (group.lines.length > 1) return ambiguousLine(group);
  return group.line;
}
