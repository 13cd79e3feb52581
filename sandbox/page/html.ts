import { pageScript, type PageOptions } from './script.js';
import { PAGE_CSS } from './style.js';

/**
 * The sandbox page: groups on the left (newest first, with a preview; commands for new groups that
 * failed under "Not sent"; a banner for each line paused by a Sendblue outage, and the same banner
 * over a conversation whose line it is), the selected conversation as a chat on the right: inbound bubbles left,
 * ours right, media inline, status ticks, failed commands as failed bubbles with their reason, and
 * member and name changes as grey lines. One column under 700 px. It polls once a second and
 * redraws only what changed; the selected group is in the URL (`#group=<id>`). Plain HTML and
 * script, no build step; every text goes in through textContent.
 */
export function pageHtml(options: PageOptions): string {
  // The empty state before the first poll; the script draws the same (emptyState in script.ts).
  const hint = `${options.cliPrefix} send --to +15551230001,+15551230002 "Hello group" --wait`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sendblue groups sandbox</title>
<style>${PAGE_CSS}</style>
</head>
<body data-view="list">
<nav id="sidebar"><h1>Groups</h1><div id="paused"></div><div id="not-sent"></div><div id="groups"><div class="empty">No groups yet. Send one with<code>${escapeHtml(hint)}</code></div></div><div id="live"></div></nav>
<main id="main">
  <div id="header">
    <a id="back" href="#" aria-label="back to groups">‹ Groups</a>
    <div class="titles">
      <div class="title">Pick a group</div>
      <div class="members"></div>
      <div class="id-line" hidden><code class="group-id" title="the group_id (select to copy)"></code><button type="button" class="copy" title="copy the group_id">copy</button></div>
    </div>
  </div>
  <div id="line-banner" hidden></div>
  <div id="conversation"></div>
</main>
<script>${pageScript(options)}</script>
</body>
</html>
`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
