/**
 * The sandbox web page in headless Chromium (playwright-core driving Debian's /usr/bin/chromium):
 * the group list with previews, a conversation as chat bubbles with media and status ticks,
 * updating live as commands are sent and members reply; failed commands as failed bubbles (or under
 * "Not sent"), changes as lines, dated labels on old messages, the empty state's command with the
 * sandbox's ports, the one-column layout on a 400 px screen, and the banner of a line paused by a
 * Sendblue outage. Skipped, saying why, only where
 * Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupsProducer, sandboxTarget, type GroupsProducer } from '../../../../client/index.js';
import { MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';
import { DEFAULT_SANDBOX_CONFIG } from '../../../../sandbox/config.js';
import { fixture } from '../../../support/http-events.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`page.test.ts: skipped, no Chromium at ${CHROMIUM} (install it: apt-get install chromium)`);

describe.skipIf(!hasChromium)('sandbox page (headless Chromium)', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let producer: GroupsProducer;
  /** The first group (MEMBERS 0 and 1), made by the second test and used by the later ones. */
  let firstGroup = '';
  beforeAll(async () => {
    h = await startHarness();
    producer = createGroupsProducer(
      sandboxTarget({
        SANDBOX_PORT: new URL(h.sandbox.urls.api).port,
        SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port,
      }),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    // The page labels times in the browser's zone; the test computes dates in Node's.
    page = await browser.newPage({ timezoneId: Intl.DateTimeFormat().resolvedOptions().timeZone });
  });
  afterAll(async () => {
    await browser?.close();
    producer?.close();
    await h?.stop();
  });

  it('serves the page and the JSON group list it reads', async () => {
    const response = await fetch(`${h.sandbox.urls.api}/`);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<title>Sendblue groups sandbox</title>');
    expect(await (await fetch(`${h.sandbox.urls.api}/__sandbox/groups`)).json()).toEqual({
      groups: [],
      failed: [],
      paused_lines: [],
    });
    const badId = await fetch(`${h.sandbox.urls.api}/__sandbox/groups/%E0%A4%A/changes`);
    expect(badId.status).toBe(400);
    expect(await badId.json()).toEqual({ error: 'group_id must be valid percent-encoding' });
  });

  it('the empty state shows the command to try with the ports this sandbox runs on', async () => {
    await page.goto(`${h.sandbox.urls.api}/`);
    const hint = page.locator('#groups .empty code');
    await hint.waitFor({ timeout: 10_000 });
    const port = new URL(h.sandbox.urls.api).port;
    const sqsPort = new URL(h.sandbox.urls.sqs).port;
    const simulatorPort = new URL(h.sim.url).port;
    expect(port).not.toBe('3000'); // the harness picks free ports, so the hint must name them
    // Every port the CLI reaches the sandbox with (the simulator's for setup): the banner's prefix.
    expect(await hint.innerText()).toBe(
      `SANDBOX_PORT=${port} SANDBOX_SQS_PORT=${sqsPort} SANDBOX_SIMULATOR_PORT=${simulatorPort} npm run cli -- send --to +15551230001,+15551230002 "Hello group" --wait`,
    );
  });

  it('shows a sent message as an outbound bubble whose ticks follow its status, and a reply as it arrives, without reloading', async () => {
    await page.goto(`${h.sandbox.urls.api}/`);
    await expect.poll(() => page.locator('#groups').innerText()).toContain('No groups yet');

    const { command_id } = await producer.sendGroupMessage({
      numbers: [MEMBERS[0]!, MEMBERS[1]!],
      content: 'Hello from the page test',
      media_url: 'https://cdn.example.com/cat.png',
    });
    const groupId = String((await h.waitForCommand(command_id, ['sent'])).group_id);
    firstGroup = groupId;

    // The page picks the (only) group by itself and shows the conversation.
    const group = page.locator(`.group[data-group-id="${groupId}"]`);
    await group.waitFor({ timeout: 10_000 });
    expect(await group.getAttribute('class')).toContain('selected');
    const outbound = page.locator('.bubble.outbound', { hasText: 'Hello from the page test' });
    await outbound.waitFor({ timeout: 10_000 });
    await expect.poll(() => outbound.getAttribute('data-status'), { timeout: 10_000 }).toBe('DELIVERED');
    expect(await outbound.locator('.ticks').innerText()).toBe('✓✓');
    expect(await outbound.locator('img').getAttribute('src')).toBe('https://cdn.example.com/cat.png');
    expect(await page.locator('#header .members').innerText()).toContain(MEMBERS[0]);
    // No name: the title is the members, never the id; the id is underneath, small.
    expect(await page.locator('#header .title').innerText()).toBe(`${MEMBERS[0]}, ${MEMBERS[1]}`);
    expect(await page.locator('#header .group-id').innerText()).toBe(groupId);
    expect(await group.locator('.name').innerText()).toBe(`${MEMBERS[0]}, ${MEMBERS[1]}`);

    await h.sim.memberReply(groupId, 'A reply the page must show');
    const inbound = page.locator('.bubble.inbound', { hasText: 'A reply the page must show' });
    await inbound.waitFor({ timeout: 10_000 });
    expect(await inbound.locator('.from').innerText()).toMatch(/^\+1555123000[12]$/);
    expect(await inbound.locator('.ticks').count()).toBe(0);
    // Chat order: oldest at the top.
    expect(await page.locator('.bubble .text').allInnerTexts()).toEqual([
      'Hello from the page test',
      'A reply the page must show',
    ]);
    // The list previews the newest message: who (short) and its text, with its time.
    await expect
      .poll(() => group.locator('.preview').innerText(), { timeout: 10_000 })
      .toMatch(/^…000[12]: A reply the page must show$/);
    expect(await group.locator('.when').innerText()).toMatch(/^\d\d:\d\d$/);
  });

  it('lists every group (newest first) and switches conversations by clicking', async () => {
    const first = await producer.sendGroupMessage({
      numbers: [MEMBERS[1]!, MEMBERS[2]!],
      content: 'Second group says hi',
    });
    const groupId = String((await h.waitForCommand(first.command_id, ['sent'])).group_id);
    const entry = page.locator(`.group[data-group-id="${groupId}"]`);
    await entry.waitFor({ timeout: 10_000 });
    expect(await page.locator('.group').count()).toBe(2);
    expect(await page.locator('.group').first().getAttribute('data-group-id')).toBe(groupId);
    await entry.click();
    await page.locator('.bubble.outbound', { hasText: 'Second group says hi' }).waitFor({ timeout: 10_000 });
    expect(page.url()).toContain(`#group=${encodeURIComponent(groupId)}`);
    expect(await page.locator('.bubble', { hasText: 'Hello from the page test' }).count()).toBe(0);
  });

  it('shows a send Sendblue refused as a failed bubble with the reason, and a refused new group under "Not sent"', async () => {
    await page.goto(`${h.sandbox.urls.api}/#group=${encodeURIComponent(firstGroup)}`);
    h.sim.injectFault({ kind: '400', route: 'send', count: 1 });
    const refused = await producer.sendGroupMessage({ group_id: firstGroup, content: 'This one is refused' });
    const view = await h.waitForCommand(refused.command_id, ['failed']);
    const failed = page.locator('.bubble.failed', { hasText: 'This one is refused' });
    await failed.waitFor({ timeout: 10_000 });
    expect(await failed.getAttribute('data-command-id')).toBe(refused.command_id);
    expect(await failed.locator('.reason').innerText()).toBe(`failed: ${view.error}`);
    expect(String(view.error)).toMatch(/^Sendblue refused/);
    expect(await failed.locator('.ticks').innerText()).toContain('✗');
    // After the messages sent before it.
    const texts = await page.locator('#conversation .bubble .text').allInnerTexts();
    expect(texts.indexOf('This one is refused')).toBe(texts.length - 1);

    // A new group that was never made has no conversation: it is listed under "Not sent".
    h.sim.injectFault({ kind: '400', route: 'send', count: 1 });
    const newGroup = await producer.sendGroupMessage({
      numbers: [MEMBERS[0]!, '+15551230009'],
      content: 'Nobody gets this',
    });
    await h.waitForCommand(newGroup.command_id, ['failed']);
    const notSent = page.locator(`.not-sent-entry[data-command-id="${newGroup.command_id}"]`);
    await notSent.waitFor({ timeout: 10_000 });
    expect(await page.locator('#not-sent h2').innerText()).toMatch(/not sent/i);
    expect(await notSent.locator('.to').innerText()).toBe(`To ${MEMBERS[0]}, +15551230009`);
    expect(await notSent.innerText()).toContain('Nobody gets this');
    expect(await notSent.locator('.reason').innerText()).toMatch(/^✗ failed: Sendblue refused/);
  });

  it('shows an add and a rename as lines, in order with the messages, and the new name as the title', async () => {
    await page.goto(`${h.sandbox.urls.api}/#group=${encodeURIComponent(firstGroup)}`);
    const add = await producer.addRecipient({ group_id: firstGroup, number: MEMBERS[2]! });
    await h.waitForCommand(add.command_id, ['sent']);
    const rename = await producer.renameGroup({ group_id: firstGroup, name: 'Weekend plans' });
    await h.waitForCommand(rename.command_id, ['sent']);
    const after = await producer.sendGroupMessage({ group_id: firstGroup, content: 'After the changes' });
    await h.waitForCommand(after.command_id, ['sent']);

    await page.locator('.bubble', { hasText: 'After the changes' }).waitFor({ timeout: 10_000 });
    await expect
      .poll(() => page.locator('#conversation .change').allInnerTexts(), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^\+15551230003 was added/), expect.stringMatching(/^renamed to Weekend plans/)]);
    // Everything in the conversation, in order: the lines sit between the refused send and the new message.
    const order = await page
      .locator('#conversation > *')
      .evaluateAll((nodes) =>
        nodes.map((node) => (node.classList.contains('change') ? 'change' : node.querySelector('.text')?.textContent)),
      );
    expect(order.slice(-4)).toEqual(['This one is refused', 'change', 'change', 'After the changes']);
    await expect.poll(() => page.locator('#header .title').innerText(), { timeout: 10_000 }).toBe('Weekend plans');
    expect(await page.locator(`.group[data-group-id="${firstGroup}"] .name`).innerText()).toBe('Weekend plans');
  });

  it("shows tapbacks as small marks under the bubble, a member's and ours, with who in the tooltip", async () => {
    await page.goto(`${h.sandbox.urls.api}/#group=${encodeURIComponent(firstGroup)}`);
    const reply = h.sim.messages().find((m) => m.content === 'A reply the page must show')!;
    const other = MEMBERS.slice(0, 2).find((member) => member !== reply.from_number)!;
    await h.sim.memberReacts(reply.message_handle, 'love', { from: other });
    const ours = await producer.sendReaction(
      { message_handle: reply.message_handle, reaction: 'love' },
      {
        groupId: firstGroup,
      },
    );
    await h.waitForCommand(ours.command_id, ['sent']);
    const row = page.locator(`.tapbacks[data-handle="${reply.message_handle}"]`);
    await expect.poll(() => row.locator('.tapback').allInnerTexts(), { timeout: 10_000 }).toEqual(['❤️ 2']);
    expect(await row.getAttribute('class')).toContain('inbound');
    expect(await row.locator('.tapback').getAttribute('title')).toBe(`love: ${other}, you`);
    // Right under its bubble.
    const bubble = page.locator(`.bubble[data-handle="${reply.message_handle}"]`);
    expect(await bubble.evaluate((b) => b.nextElementSibling?.className)).toBe('tapbacks inbound');
  });

  it('an old message shows its date, not only its time', async () => {
    await page.goto(`${h.sandbox.urls.api}/#group=${encodeURIComponent(firstGroup)}`);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const response = await fetch(`${h.sandbox.urls.api}/webhooks/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sb-signing-secret': DEFAULT_SANDBOX_CONFIG.webhookSecret },
      body: JSON.stringify({
        ...fixture('receive-group.json'),
        message_handle: `old-${Date.now()}`,
        group_id: firstGroup,
        content: 'Sent two days ago',
        from_number: MEMBERS[1],
        number: MEMBERS[1],
        participants: [MEMBERS[0], MEMBERS[1], MEMBERS[2]],
        group_display_name: 'Weekend plans',
        date_sent: twoDaysAgo.toISOString(),
        date_updated: twoDaysAgo.toISOString(),
      }),
    });
    expect(response.status).toBe(200);
    const old = page.locator('.bubble.inbound', { hasText: 'Sent two days ago' });
    await old.waitFor({ timeout: 10_000 });
    const label = await old.locator('.foot').innerText();
    expect(label).toContain(`${twoDaysAgo.getDate()} ${MONTHS[twoDaysAgo.getMonth()]}`);
    expect(label).toMatch(/\d\d:\d\d/);
    // Oldest first: it is now the top of the conversation; today's messages show only their time.
    expect(await page.locator('#conversation .bubble').first().innerText()).toContain('Sent two days ago');
    const today = page.locator('.bubble.outbound', { hasText: 'After the changes' }).locator('.foot');
    expect((await today.innerText()).trim()).toMatch(/^\d\d:\d\d ✓/);
  });

  it('at 400 px: one column, the conversation readable (bubbles wide, long words wrapped), and back to the list', async () => {
    const long = `A long message with a link https://example.com/${'a'.repeat(120)} that must wrap inside its bubble on a phone`;
    const sent = await producer.sendGroupMessage({ group_id: firstGroup, content: long });
    await h.waitForCommand(sent.command_id, ['sent']);
    const phone = await browser.newPage({ viewport: { width: 400, height: 800 } });
    try {
      // No group in the URL: a phone shows the list first.
      await phone.goto(`${h.sandbox.urls.api}/`);
      const entry = phone.locator(`.group[data-group-id="${firstGroup}"]`);
      await entry.waitFor({ timeout: 10_000 });
      expect(await phone.locator('#main').isVisible()).toBe(false);
      expect((await phone.locator('#sidebar').boundingBox())!.width).toBeGreaterThan(380);

      await entry.click();
      const bubble = phone.locator('.bubble.outbound', { hasText: 'A long message with a link' });
      await bubble.waitFor({ timeout: 10_000 });
      expect(await phone.locator('#sidebar').isVisible()).toBe(false);
      const conversation = (await phone.locator('#conversation').boundingBox())!;
      expect(conversation.x).toBe(0);
      expect(conversation.width).toBeGreaterThan(380);
      const box = (await bubble.boundingBox())!;
      expect(box.width).toBeGreaterThan(200);
      expect(box.x + box.width).toBeLessThanOrEqual(400); // wrapped, not overflowing the screen
      // Nothing scrolls sideways.
      expect(await phone.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(400);

      await phone.locator('#back').click();
      await entry.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await phone.locator('#main').isVisible()).toBe(false);
    } finally {
      await phone.close();
    }
  });

  it('while Sendblue is down the line shows a banner, in the list and over its conversation, and it goes once Sendblue answers', async () => {
    await page.goto(`${h.sandbox.urls.api}/#group=${encodeURIComponent(firstGroup)}`);
    await page.locator('#header .group-id', { hasText: firstGroup }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#line-banner').isVisible()).toBe(false);
    await h.sim.unavailableFor(12_000);
    // Three commands of three groups fail the same way: the line is paused (its breaker opens).
    const others = [
      h.sim.createGroup(['+15551230021', '+15551230022']),
      h.sim.createGroup(['+15551230031', '+15551230032']),
    ];
    const queued = await Promise.all(
      [firstGroup, ...others.map((g) => g.group_id)].map((group_id, i) =>
        producer.sendGroupMessage({ group_id, content: `Sent once Sendblue is back ${i}` }),
      ),
    );
    const banner = page.locator('#paused .paused-line');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.innerText()).toMatch(
      new RegExp(
        `^⏸ Sendblue unreachable from \\${DEFAULT_SANDBOX_CONFIG.fromNumber} since \\d\\d:\\d\\d \\(.*HTTP 503.*\\): messages wait and go out once it answers; checking every \\d+ s$`,
      ),
    );
    await expect.poll(() => page.locator('#line-banner').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#line-banner').innerText()).toBe(await banner.innerText());
    const listed = (await (await fetch(`${h.sandbox.urls.api}/__sandbox/groups`)).json()) as {
      paused_lines: unknown[];
    };
    expect(listed.paused_lines).toEqual([
      expect.objectContaining({ line: DEFAULT_SANDBOX_CONFIG.fromNumber, probe_every_s: expect.any(Number) }),
    ]);

    for (const { command_id } of queued) await h.waitForCommand(command_id, ['sent'], 40_000);
    await expect.poll(() => page.locator('#paused').innerText(), { timeout: 10_000 }).toBe('');
    await expect.poll(() => page.locator('#line-banner').isVisible(), { timeout: 10_000 }).toBe(false);
    await page.locator('.bubble.outbound', { hasText: 'Sent once Sendblue is back 0' }).waitFor({ timeout: 10_000 });
  }, 90_000);

  it('marks a member who texted STOP as opted out, and shows a pre-flight refusal as "refused" with its reason', async () => {
    await page.goto(`${h.sandbox.urls.api}/#group=${encodeURIComponent(firstGroup)}`);
    const member = MEMBERS[1]!;
    await h.sim.memberReply(firstGroup, { content: 'STOP', from: member });
    const header = page.locator('#header .members');
    await expect.poll(() => header.innerText(), { timeout: 10_000 }).toContain(`${member} ⊘ opted out`);
    expect(await header.innerText()).not.toContain(`${MEMBERS[0]} ⊘`);

    const refused = await producer.sendGroupMessage({ numbers: [member, '+15551230077'], content: 'Not to them' });
    const view = await h.waitForCommand(refused.command_id, ['failed']);
    expect(String(view.error)).toMatch(/^refused before calling Sendblue \(recipient_opted_out\)/);
    const notSent = page.locator(`.not-sent-entry[data-command-id="${refused.command_id}"]`);
    await notSent.waitFor({ timeout: 10_000 });
    expect(await notSent.locator('.reason').innerText()).toBe(`✗ refused: ${view.error}`);
  });
});
