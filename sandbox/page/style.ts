/**
 * The sandbox page's CSS. Wide screens: the group list on the left, the conversation on the right.
 * Under 700 px one column: the list, or (a group picked) the conversation with "‹ Groups" to go back.
 */
export const PAGE_CSS = `
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 -apple-system, system-ui, sans-serif; display: flex; height: 100vh; height: 100dvh; color: #111; }
  #sidebar { width: 300px; flex: none; border-right: 1px solid #ddd; overflow-y: auto; background: #f7f7f8; display: flex; flex-direction: column; }
  #sidebar h1 { font-size: 16px; margin: 0; padding: 14px 16px; border-bottom: 1px solid #ddd; }
  #groups { flex: 1; }
  .group { display: block; padding: 10px 16px; border-bottom: 1px solid #eee; color: inherit; text-decoration: none; }
  .group.selected { background: #e3edff; }
  .group .row { display: flex; gap: 8px; align-items: baseline; }
  .group .name { font-weight: 600; flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .group .when { font-size: 11px; color: #888; flex: none; }
  .group .preview { font-size: 13px; color: #555; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  #not-sent { border-bottom: 1px solid #f0c4c4; background: #fff4f4; }
  #not-sent:empty { display: none; }
  #not-sent h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #b00020; margin: 0; padding: 10px 16px 4px; }
  .not-sent-entry { padding: 6px 16px 10px; font-size: 13px; border-top: 1px solid #f6dede; overflow-wrap: anywhere; }
  .not-sent-entry .to { font-weight: 600; }
  .not-sent-entry .reason { color: #b00020; }
  .not-sent-entry .when { font-size: 11px; color: #888; }
  #paused { border-bottom: 1px solid #f0d48a; background: #fff8e1; }
  #paused:empty { display: none; }
  .paused-line { padding: 8px 16px; font-size: 13px; color: #6b4e00; overflow-wrap: anywhere; }
  #line-banner { padding: 8px 18px; font-size: 13px; color: #6b4e00; background: #fff8e1; border-bottom: 1px solid #f0d48a; overflow-wrap: anywhere; }
  #line-banner[hidden] { display: none; }
  #main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  #header { padding: 10px 18px; border-bottom: 1px solid #ddd; display: flex; gap: 10px; align-items: flex-start; }
  #header .titles { min-width: 0; flex: 1; }
  #header .title { font-weight: 600; overflow-wrap: anywhere; }
  #header .members { font-size: 12px; color: #666; overflow-wrap: anywhere; }
  #header .group-id { font: 11px ui-monospace, monospace; color: #888; user-select: all; overflow-wrap: anywhere; }
  #header .copy { font-size: 11px; border: 1px solid #ccc; background: #fff; border-radius: 4px; padding: 0 6px; margin-left: 4px; cursor: pointer; }
  #back { display: none; color: #0b84ff; text-decoration: none; font-size: 15px; white-space: nowrap; padding-top: 1px; }
  #conversation { flex: 1; overflow-y: auto; padding: 16px 18px; display: flex; flex-direction: column; gap: 6px; }
  .bubble { max-width: min(75%, 560px); padding: 8px 12px; border-radius: 18px; overflow-wrap: anywhere; }
  .bubble.inbound { align-self: flex-start; background: #e9e9eb; }
  .bubble.outbound { align-self: flex-end; background: #0b84ff; color: #fff; }
  .bubble.failed { align-self: flex-end; background: #fff; color: #111; border: 1px solid #e0a0a0; }
  .bubble.failed .reason { color: #b00020; font-size: 13px; margin-top: 2px; }
  .bubble .from { font-size: 11px; color: #555; margin-bottom: 2px; }
  .bubble .text { white-space: pre-wrap; }
  .bubble img { max-width: min(240px, 100%); border-radius: 10px; display: block; margin-top: 4px; }
  .bubble.outbound a { color: #fff; }
  .bubble .foot { font-size: 11px; opacity: .8; text-align: right; margin-top: 2px; }
  .ticks.read { color: #b8ffb8; }
  .ticks.failed { color: #ffd0d0; font-weight: 600; }
  .bubble.failed .ticks.failed { color: #b00020; }
  .tapbacks { display: flex; gap: 3px; margin-top: -4px; font-size: 13px; }
  .tapbacks.inbound { align-self: flex-start; margin-left: 10px; }
  .tapbacks.outbound { align-self: flex-end; margin-right: 10px; }
  .tapback { background: #fff; border: 1px solid #ddd; border-radius: 10px; padding: 0 6px; line-height: 20px; cursor: default; }
  .change { align-self: center; text-align: center; font-size: 12px; color: #888; max-width: 90%; overflow-wrap: anywhere; padding: 2px 0; }
  .change.failed { color: #b00020; }
  .change .when { margin-left: 6px; font-size: 11px; }
  .empty { color: #888; padding: 24px 16px; overflow-wrap: anywhere; }
  .empty code { display: block; margin-top: 8px; padding: 8px; background: #fff; border: 1px solid #ddd; border-radius: 6px; color: #111; user-select: all; white-space: pre-wrap; }
  #live { font-size: 11px; color: #888; padding: 6px 16px; }
  @media (max-width: 700px) {
    body { display: block; }
    #sidebar { width: auto; height: 100vh; height: 100dvh; border-right: 0; }
    #main { height: 100vh; height: 100dvh; }
    body[data-view="conversation"] #sidebar, body[data-view="list"] #main { display: none; }
    #back { display: inline-block; }
    #header { padding: 10px 12px; }
    #conversation { padding: 12px 10px; }
    .bubble { max-width: 85%; }
  }
`;
