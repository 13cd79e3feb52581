/**
 * The text of a tapback, as Apple renders one for phones that cannot show it (SMS, old devices):
 * the simulator's inbound reaction messages carry it as their content.
 */
import type { Reaction } from '../../lambdas/contract/sendblue-rules.js';

/** Apple's text for a tapback (what SMS phones and old devices show): `Loved “hi”`, `Laughed at an image`. */
const VERBS: Record<Reaction, string> = {
  love: 'Loved',
  like: 'Liked',
  dislike: 'Disliked',
  laugh: 'Laughed at',
  emphasize: 'Emphasized',
  question: 'Questioned',
};

const QUOTE_CHARS = 60;

export function tapbackText(reaction: Reaction, target: { content: string; media_url: string }): string {
  if (!target.content && target.media_url) return `${VERBS[reaction]} an image`;
  const chars = [...target.content];
  const quoted = chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS).join('')}…` : target.content;
  return `${VERBS[reaction]} “${quoted}”`;
}
