/**
 * The sandbox web page in headless Chromium (playwright-core driving Debian's /usr/bin/chromium):
 * the group list, a conversation as chat bubbles with media and status ticks, updating live as
 * commands are sent and members reply. Skipped, saying why, only where Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupsProducer, sandboxTarget, type GroupsProducer } from '../../client';
import { MEMBERS, startHarness, type Harness } from '../support/sandbox-harness';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`page.test.ts: skipped, no Chromium at ${CHROMIUM} (install it: apt-get install chromium)`);

describe.skipIf(!hasChromium)('sandbox page (headless Chromium)', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let producer: GroupsProducer;
  beforeAll(async () => {
    h = await startHarness();
    producer = createGroupsProducer(
      sandboxTarget({
        SANDBOX_PORT: new URL(h.sandbox.urls.api).port,
        SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port,
      }),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
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
    expect(await (await fetch(`${h.sandbox.urls.api}/__sandbox/groups`)).json()).toEqual({ groups: [] });
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
});
