import { STATUS_MARKS } from '../../lambdas/contract/status';

/**
 * The sandbox page: groups on the left, the selected conversation as a chat on the right
 * (inbound bubbles left, ours right, media inline, status ticks). It polls the API once a second
 * and redraws only what changed; the selected group is in the URL (`#group=<id>`).
 * Plain HTML and script, no build step; every text goes in through textContent.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sendblue groups sandbox</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 -apple-system, system-ui, sans-serif; display: flex; height: 100vh; color: #111; }
  #sidebar { width: 300px; border-right: 1px solid #ddd; overflow-y: auto; background: #f7f7f8; }
  #sidebar h1 { font-size: 16px; margin: 0; padding: 14px 16px; border-bottom: 1px solid #ddd; }
  .group { display: block; padding: 10px 16px; border-bottom: 1px solid #eee; color: inherit; text-decoration: none; }
  .group.selected { background: #e3edff; }
  .group .name { font-weight: 600; }
  .group .meta { font-size: 12px; color: #666; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  #main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  #header { padding: 12px 18px; border-bottom: 1px solid #ddd; }
  #header .members { font-size: 12px; color: #666; }
  #conversation { flex: 1; overflow-y: auto; padding: 16px 18px; display: flex; flex-direction: column; gap: 6px; }
  .bubble { max-width: 65%; padding: 8px 12px; border-radius: 18px; word-wrap: break-word; }
  .bubble.inbound { align-self: flex-start; background: #e9e9eb; }
  .bubble.outbound { align-self: flex-end; background: #0b84ff; color: #fff; }
  .bubble .from { font-size: 11px; color: #555; margin-bottom: 2px; }
  .bubble img { max-width: 240px; border-radius: 10px; display: block; margin-top: 4px; }
  .bubble.outbound a { color: #fff; }
  .bubble .foot { font-size: 11px; opacity: .8; text-align: right; margin-top: 2px; }
  .ticks.read { color: #b8ffb8; }
  .ticks.failed { color: #ffd0d0; font-weight: 600; }
  .empty { color: #888; padding: 24px; }
  #live { font-size: 11px; color: #888; padding: 6px 16px; }
</style>
</head>
<body>
<nav id="sidebar"><h1>Groups</h1><div id="groups"><div class="empty">No groups yet. Send one with<br><code>npm run cli -- send --to +15551230001,+15551230002 "Hello group"</code></div></div><div id="live"></div></nav>
<main id="main">
  <div id="header"><div class="title">Pick a group</div><div class="members"></div></div>
  <div id="conversation"></div>
</main>
<script>
const TICKS = ${JSON.stringify(STATUS_MARKS)};
const IMAGE = /\\.(png|jpe?g|gif|webp|heic)(\\?|$)/i;
let lastGroups = '', lastConversation = '';

const selected = () => new URLSearchParams(location.hash.slice(1)).get('group');
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
const time = (iso) => iso ? new Date(iso).toLocaleTimeString() : '';
async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(path + ' answered ' + r.status);
  return r.json();
}

function renderGroups(groups) {
  const box = document.getElementById('groups');
  if (!groups.length) return;
  box.replaceChildren(...groups.map((g) => {
    const a = el('a', 'group' + (g.group_id === selected() ? ' selected' : ''));
    a.href = '#group=' + encodeURIComponent(g.group_id);
    a.dataset.groupId = g.group_id;
    a.append(el('div', 'name', g.name || g.group_id), el('div', 'meta', g.message_count + ' message(s) · ' + (g.members.join(', ') || 'members unknown')));
    return a;
  }));
}

function bubble(m) {
  const b = el('div', 'bubble ' + m.direction);
  b.dataset.handle = m.message_handle;
  b.dataset.status = m.status;
  if (m.direction === 'inbound') b.append(el('div', 'from', m.from_number || ''));
  if (m.content) b.append(el('div', 'text', m.content));
  if (m.media_url) {
    if (IMAGE.test(m.media_url)) { const img = el('img'); img.src = m.media_url; img.alt = 'media'; b.append(img); }
    else { const a = el('a', 'media', m.media_url); if (/^https?:/i.test(m.media_url)) a.href = m.media_url; a.target = '_blank'; b.append(a); }
  }
  const foot = el('div', 'foot', time(m.date_sent) + ' ');
  if (m.direction === 'outbound') {
    const t = el('span', 'ticks' + (m.status === 'READ' ? ' read' : '') + (m.status === 'ERROR' || m.status === 'DECLINED' ? ' failed' : ''), (TICKS[m.status] || '?') + (m.status === 'READ' ? ' read' : m.status === 'ERROR' ? ' failed' : m.status === 'DECLINED' ? ' declined' : ''));
    t.title = m.status;
    foot.append(t);
  }
  b.append(foot);
  return b;
}

async function refreshConversation() {
  const id = selected();
  if (!id) return;
  const path = '/groups/' + encodeURIComponent(id);
  const [group, page] = await Promise.all([getJson(path), getJson(path + '/messages?limit=100&order=desc')]);
  const text = JSON.stringify([group, page.messages]);
  if (text === lastConversation) return;
  lastConversation = text;
  document.querySelector('#header .title').textContent = group.name || group.group_id;
  document.querySelector('#header .members').textContent = group.members.join(', ');
  const box = document.getElementById('conversation');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...page.messages.slice().reverse().map(bubble));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function tick() {
  try {
    const { groups } = await getJson('/__sandbox/groups');
    // Nothing picked yet: show the most recent group.
    if (!selected() && groups[0]) history.replaceState(null, '', '#group=' + encodeURIComponent(groups[0].group_id));
    const text = JSON.stringify([groups, selected()]);
    if (text !== lastGroups) { lastGroups = text; renderGroups(groups); }
    await refreshConversation();
    document.getElementById('live').textContent = 'live · updated ' + new Date().toLocaleTimeString();
  } catch (error) {
    document.getElementById('live').textContent = 'cannot reach the sandbox: ' + error.message;
  }
}
window.addEventListener('hashchange', () => { lastConversation = ''; lastGroups = ''; tick(); });
(async function loop() { await tick(); setTimeout(loop, 1000); })();
</script>
</body>
</html>
`;
