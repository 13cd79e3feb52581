import { REACTION_MARKS } from '../../lambdas/contract/reactions.js';
import { STATUS_MARKS } from '../../lambdas/contract/status.js';
import { PAGE_LOGIC_SCRIPT } from './page-logic.js';

export interface PageOptions {
  /** How to run the CLI against this sandbox (sandboxCliPrefix), for the empty state's hint. */
  cliPrefix: string;
  /** Our own Sendblue lines: members of every group, left out of titles. */
  ownLines: readonly string[];
}

/**
 * The sandbox page's script: polls once a second and redraws only what changed. Every text goes
 * in through textContent (never innerHTML); the plain logic (titles, previews, time labels, the
 * order of a conversation) is page-logic.ts, put in as its source.
 */
export function pageScript(options: PageOptions): string {
  // JSON in a script element: "<" is written as \u003c so no text can close the element.
  const constant = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
  return `
const TICKS = ${constant(STATUS_MARKS)};
const TAPBACKS = ${constant(REACTION_MARKS)};
const CLI_PREFIX = ${constant(options.cliPrefix)};
const OWN_LINES = ${constant(options.ownLines)};
const IMAGE = /\\.(png|jpe?g|gif|webp|heic)(\\?|$)/i;
const NARROW = window.matchMedia('(max-width: 700px)');
${PAGE_LOGIC_SCRIPT}
let lastGroups = '', lastConversation = '', failedCommands = [], pausedLines = [], optedOutByGroup = {};

const selected = () => new URLSearchParams(location.hash.slice(1)).get('group');
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
const when = (iso) => timeLabel(iso, Date.now());
const today = () => new Date().toDateString();
async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(path + ' answered ' + r.status);
  return r.json();
}

function emptyState() {
  const box = el('div', 'empty', 'No groups yet. Send one with');
  box.append(el('code', null, CLI_PREFIX + ' send --to +15551230001,+15551230002 "Hello group" --wait'));
  return box;
}

function renderNotSent(entries) {
  const box = document.getElementById('not-sent');
  if (!entries.length) return box.replaceChildren();
  box.replaceChildren(el('h2', null, 'Not sent'), ...entries.map((f) => {
    const e = el('div', 'not-sent-entry');
    e.dataset.commandId = f.command_id;
    const to = f.numbers && f.numbers.length ? f.numbers.join(', ') : f.group_id || 'unknown recipients';
    e.append(el('div', 'to', f.type === 'send_reaction' ? 'On message ' + (f.message_handle || '?') : f.type === 'set_contact_opt' ? 'Contact ' + (f.number || '?') : 'To ' + to));
    if (f.content) e.append(el('div', 'text', clip(f.content, 60)));
    else if (f.type !== 'send_group_message') e.append(el('div', 'text', failedAction(f)));
    e.append(el('div', 'reason', '✗ ' + failedWord(f.reason) + ': ' + f.reason), el('div', 'when', when(f.at)));
    return e;
  }));
}

function renderPaused() {
  const box = document.getElementById('paused');
  if (!pausedLines.length) return box.replaceChildren();
  box.replaceChildren(...pausedLines.map((p) => {
    const e = el('div', 'paused-line', '⏸ ' + pausedLineText(p, Date.now()));
    e.dataset.line = p.line;
    return e;
  }));
}

function renderLineBanner(members) {
  const banner = document.getElementById('line-banner');
  const mine = pausedLinesOf(pausedLines, members, OWN_LINES);
  banner.hidden = !mine.length;
  banner.replaceChildren(...mine.map((p) => el('div', null, '⏸ ' + pausedLineText(p, Date.now()))));
}

function renderGroups(groups, failed) {
  const known = new Set(groups.map((g) => g.group_id));
  // A command with no conversation to show it in: a new group that was never made, or an unknown id.
  renderNotSent(failed.filter((f) => !f.group_id || !known.has(f.group_id)));
  const box = document.getElementById('groups');
  if (!groups.length) return box.replaceChildren(emptyState());
  box.replaceChildren(...groups.map((g) => {
    const a = el('a', 'group' + (g.group_id === selected() ? ' selected' : ''));
    a.href = '#group=' + encodeURIComponent(g.group_id);
    a.dataset.groupId = g.group_id;
    const row = el('div', 'row');
    row.append(el('div', 'name', groupTitle(g.name, g.members, OWN_LINES)), el('div', 'when', when(g.last_message_at)));
    a.append(row, el('div', 'preview', previewText(g.last_message)));
    return a;
  }));
}

function media(url) {
  if (IMAGE.test(url)) { const img = el('img'); img.src = url; img.alt = 'media'; return img; }
  const a = el('a', 'media', url); if (/^https?:/i.test(url)) a.href = url; a.target = '_blank'; return a;
}

function bubble(m) {
  const b = el('div', 'bubble ' + m.direction);
  b.dataset.handle = m.message_handle;
  b.dataset.status = m.status;
  if (m.direction === 'inbound') b.append(el('div', 'from', m.from_number || ''));
  if (m.content) b.append(el('div', 'text', m.content));
  if (m.media_url) b.append(media(m.media_url));
  const foot = el('div', 'foot', when(m.date_sent) + ' ');
  if (m.direction === 'outbound') {
    const t = el('span', 'ticks' + (m.status === 'READ' ? ' read' : '') + (m.status === 'ERROR' || m.status === 'DECLINED' ? ' failed' : ''), (TICKS[m.status] || '?') + (m.status === 'READ' ? ' read' : m.status === 'ERROR' ? ' failed' : m.status === 'DECLINED' ? ' declined' : ''));
    t.title = m.status;
    foot.append(t);
  }
  b.append(foot);
  return b;
}

/** The tapbacks on a message: small marks under its bubble, on its side; each says who in its tooltip. */
function tapbackRow(m) {
  const marks = tapbackMarks(m.reactions, TAPBACKS);
  if (!marks.length) return [];
  const row = el('div', 'tapbacks ' + m.direction);
  row.dataset.handle = m.message_handle;
  row.append(...marks.map((t) => {
    const s = el('span', 'tapback', t.mark + (t.count > 1 ? ' ' + t.count : ''));
    s.dataset.reaction = t.reaction;
    s.title = t.who;
    return s;
  }));
  return [row];
}

function failedBubble(f) {
  const b = el('div', 'bubble failed');
  b.dataset.commandId = f.command_id;
  if (f.content) b.append(el('div', 'text', f.content));
  if (f.media_url) b.append(media(f.media_url));
  b.append(el('div', 'reason', failedWord(f.reason) + ': ' + f.reason));
  const foot = el('div', 'foot', when(f.at) + ' ');
  foot.append(el('span', 'ticks failed', failedWord(f.reason) === 'refused' ? '✗ refused, not sent' : '✗ not sent'));
  b.append(foot);
  return b;
}

function changeLine(text, at, failed) {
  const line = el('div', 'change' + (failed ? ' failed' : ''), text);
  line.append(el('span', 'when', when(at)));
  return line;
}

function timelineNodes(entry) {
  if (entry.kind === 'message') return [bubble(entry.message), ...tapbackRow(entry.message)];
  if (entry.kind === 'change') return changeTexts(entry.change).map((text) => changeLine(text, entry.at, false));
  const f = entry.failed;
  if (f.type === 'send_group_message') return [failedBubble(f)];
  const line = changeLine('✗ ' + failedAction(f) + ' ' + failedWord(f.reason) + ': ' + f.reason, f.at, true);
  line.dataset.commandId = f.command_id;
  return [line];
}

async function refreshConversation() {
  const id = selected();
  document.body.dataset.view = id ? 'conversation' : 'list';
  if (!id) return;
  const path = '/groups/' + encodeURIComponent(id);
  const [group, page, changes] = await Promise.all([
    getJson(path),
    getJson(path + '/messages?limit=100&order=desc'),
    getJson('/__sandbox/groups/' + encodeURIComponent(id) + '/changes'),
  ]);
  const failed = failedCommands.filter((f) => f.group_id === id);
  const optedOut = optedOutByGroup[id] || [];
  const text = JSON.stringify([group, page.messages, failed, changes, pausedLines, optedOut, today()]);
  if (text === lastConversation) return;
  lastConversation = text;
  renderLineBanner(group.members);
  document.querySelector('#header .title').textContent = groupTitle(group.name, group.members, OWN_LINES);
  document.querySelector('#header .members').textContent = memberLine(group.members, optedOut);
  const idLine = document.querySelector('#header .id-line');
  idLine.hidden = false;
  idLine.querySelector('.group-id').textContent = group.group_id;
  const messages = page.messages.slice().reverse();
  // A full page starts later than the group: leave out what happened before its first message.
  const since = page.next_cursor && messages.length ? messages[0].date_sent || '' : '';
  const timeline = buildTimeline(messages, failed, changes.changes).filter((e) => e.at >= since);
  const box = document.getElementById('conversation');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...timeline.flatMap(timelineNodes));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function tick() {
  try {
    const { groups, failed, paused_lines } = await getJson('/__sandbox/groups');
    failedCommands = failed;
    pausedLines = paused_lines || [];
    optedOutByGroup = Object.fromEntries(groups.map((g) => [g.group_id, g.opted_out || []]));
    renderPaused();
    // Nothing picked yet: on a wide screen, show the most recent group (a narrow one shows the list).
    if (!selected() && groups[0] && !NARROW.matches) history.replaceState(null, '', '#group=' + encodeURIComponent(groups[0].group_id));
    const text = JSON.stringify([groups, failed, selected(), today()]);
    if (text !== lastGroups) { lastGroups = text; renderGroups(groups, failed); }
    await refreshConversation();
    document.getElementById('live').textContent = 'live · updated ' + new Date().toLocaleTimeString();
  } catch (error) {
    document.getElementById('live').textContent = 'cannot reach the sandbox: ' + error.message;
  }
}
document.querySelector('#header .copy').addEventListener('click', () => {
  const id = document.querySelector('#header .group-id').textContent;
  if (navigator.clipboard) navigator.clipboard.writeText(id).catch(() => {});
});
window.addEventListener('hashchange', () => { lastConversation = ''; lastGroups = ''; tick(); });
NARROW.addEventListener('change', () => { lastGroups = ''; tick(); });
(async function loop() { await tick(); setTimeout(loop, 1000); })();
`;
}
