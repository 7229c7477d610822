/// <reference lib="dom" />
// Page callbacks below run in Chromium, so this file sees the DOM types.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleTraffic, type SampleMessage } from '@firehose/dashboard/sample-traffic';
import { createEvent } from '@firehose/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputDir, publishAll, startDashboardStack, type DashboardStack } from './dashboard-harness.js';

// Real broker, real publishers, the built dashboard in real headless Chromium (issue 6).
const RETAIN = 300;

let stack: DashboardStack;
let page: Page;
const published: SampleMessage[] = [];

const take = (generator: Generator<SampleMessage, never>, count: number): SampleMessage[] =>
  Array.from({ length: count }, () => generator.next().value);
const count = (selector: string) =>
  page
    .locator(selector)
    .textContent()
    .then((text) => Number(text));
const waitForCount = (name: string, value: number) =>
  page.waitForFunction(
    ([selector, expected]) => document.querySelector(selector)?.textContent === String(expected),
    [`[data-count="${name}"]`, value] as const,
    { timeout: 15_000 },
  );
const mountedServices = () =>
  page.$$eval('.row', (rows) => rows.map((row) => row.getAttribute('data-service')));

describe('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    stack = await startDashboardStack('dashboard-browser-dist');
    page = await stack.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The served page carries the broker URL; only the retention cap comes from the URL here.
    await page.goto(`${stack.server.url}?retain=${RETAIN}`);
    await page.waitForSelector('[data-state="connected"]', { timeout: 15_000 });
    expect(errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('shows an empty state that says what to do before any event arrives', async () => {
    await expect(page.locator('.stream .empty').textContent()).resolves.toMatch(/Waiting for events/);
  });

  it('streams events from three services, newest first, with counts matching what was sent', async () => {
    const traffic = sampleTraffic(7);
    const batch = take(traffic, 60);
    // End with one of each service so all three are at the live edge.
    const tail: SampleMessage[] = [];
    for (const message of traffic) {
      if (!tail.some((seen) => seen.account === message.account)) tail.push(message);
      if (tail.length === 3) break;
    }
    published.push(...batch, ...tail);
    await publishAll(stack, batch);
    // One at a time: three publishers' connections do not order messages between each other.
    for (const message of tail) await publishAll(stack, [message]);
    await waitForCount('received', published.length);
    await expect(count('[data-count="shown"]')).resolves.toBe(published.length);
    const services = new Set(await mountedServices());
    expect([...services].sort()).toEqual(['gerrit', 'launchpad', 'zuul']);
    // Newest first: the top row is the last message published.
    const topTopic = await page.locator('.row').first().getAttribute('data-topic');
    expect(topTopic).toBe(tail[2]!.topic);
    // Domain views: a Gerrit row shows a linked change number; a Zuul row shows job results.
    await expect(page.locator('.row[data-service="gerrit"] a.change').first().textContent()).resolves.toMatch(
      /^#\d+$/,
    );
  });

  it('filters old and new rows by service and by topic filter, and puts the filter in the URL', async () => {
    await page.getByRole('checkbox', { name: 'zuul' }).check();
    const zuulCount = published.filter((message) => message.account === 'zuul').length;
    await waitForCount('shown', zuulCount);
    expect(new Set(await mountedServices())).toEqual(new Set(['zuul']));
    expect(new URL(page.url()).searchParams.get('service')).toBe('zuul');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('searchbox', { name: 'Topic filter' }).fill('gerrit/+/+/comment-added');
    const matching = published.filter((message) =>
      /^gerrit\/[^/]+\/[^/]+\/comment-added$/.test(message.topic),
    ).length;
    expect(matching).toBeGreaterThan(0);
    await waitForCount('shown', matching);
    const topics = await page.$$eval('.row', (rows) => rows.map((row) => row.getAttribute('data-topic')));
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect(topic).toMatch(/^gerrit\/[^/]+\/[^/]+\/comment-added$/);
    expect(new URL(page.url()).searchParams.get('topic')).toBe('gerrit/+/+/comment-added');

    // A new matching event appears under the filter; a non-matching one does not.
    const traffic = sampleTraffic(99);
    const extra = take(traffic, 12);
    published.push(...extra);
    await publishAll(stack, extra);
    await waitForCount('received', published.length);
    const matchingNow = published.filter((message) =>
      /^gerrit\/[^/]+\/[^/]+\/comment-added$/.test(message.topic),
    ).length;
    await waitForCount('shown', matchingNow);

    // The filtered view survives a reload from its URL.
    await page.reload();
    await page.waitForSelector('[data-state="connected"]');
    await expect(page.getByRole('searchbox', { name: 'Topic filter' }).inputValue()).resolves.toBe(
      'gerrit/+/+/comment-added',
    );
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('fills the catalogue table and draws the rate chart', async () => {
    // After the reload the page has no events of its own; send more so the chart has data.
    const more = take(sampleTraffic(11), 30);
    await publishAll(stack, more);
    await waitForCount('received', more.length);
    const catalogueRow = page.locator('table.catalogue tbody tr', { hasText: 'gerrit.comment-added' });
    await catalogueRow.waitFor({ timeout: 15_000 });
    const cells = await catalogueRow.locator('td').allTextContents();
    expect(Number(cells[1])).toBeGreaterThan(0);
    const canvas = page.locator('.rates-canvas canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(50);
    await page.locator('.u-legend', { hasText: 'launchpad' }).waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-stat="clients"]')?.textContent !== '–',
      undefined,
      {
        timeout: 15_000,
      },
    );
    await page.screenshot({ path: join(outputDir, 'dashboard.png') });
  });

  it('expands a collapsed burst into its events and collapses it again', async () => {
    const toggle = page.locator('.burst-toggle').first();
    await toggle.waitFor();
    const events = Number(/(\d+) events/.exec((await toggle.textContent()) ?? '')?.[1]);
    expect(events).toBeGreaterThan(1);
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(page.locator('.row.child').count()).resolves.toBe(events);
    await toggle.click();
    await expect(page.locator('.row.child').count()).resolves.toBe(0);
  });

  it('highlights undeclared topics and invalid counts in the catalogue, and shows undeclared events in the stream', async () => {
    const undeclaredTopic = 'gerrit/openstack/nova/brand-new-event';
    const undeclared = createEvent({
      source: 'https://review.example.org',
      type: 'gerrit.brand-new-event',
      dataschema: 'urn:firehose:schema:gerrit.brand-new-event:1',
      data: { type: 'brand-new-event', note: 'a Gerrit upgrade added this' },
    });
    await stack.publishers.gerrit.publishRaw(undeclaredTopic, JSON.stringify(undeclared), { qos: 1 });
    // A comment-added without its change: the broker acknowledges it, diverts it and counts it invalid.
    const invalid = createEvent({
      source: 'https://review.example.org',
      type: 'gerrit.comment-added',
      dataschema: 'urn:firehose:schema:gerrit.comment-added:1',
      data: { type: 'comment-added' },
    });
    await stack.publishers.gerrit.publishRaw('gerrit/openstack/nova/comment-added', JSON.stringify(invalid), {
      qos: 1,
    });
    await page.locator('.row', { hasText: 'brand-new-event' }).first().waitFor();
    const undeclaredRow = page.locator('table.catalogue tbody tr.undeclared', { hasText: undeclaredTopic });
    await undeclaredRow.waitFor({ timeout: 15_000 });
    await expect(undeclaredRow.textContent()).resolves.toMatch(/undeclared/);
    const invalidRow = page.locator('table.catalogue tbody tr.has-invalid', {
      hasText: 'gerrit.comment-added',
    });
    await invalidRow.waitFor({ timeout: 15_000 });
    await expect(invalidRow.textContent()).resolves.toMatch(/1 invalid/);
  });

  it('moves the selection with the arrow keys and opens details with Enter', async () => {
    await page.getByRole('log').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Event details' }).waitFor();
    await expect(page.getByRole('button', { name: 'Copy event' }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Select path $.data', exact: true }).click();
    await expect(page.locator('.detail-actions output code').textContent()).resolves.toBe('$.data');
    await page.screenshot({ path: join(outputDir, 'dashboard-detail.png') });
    await page.getByRole('button', { name: 'Close event details' }).click();
  });

  it('pauses on p, counts new events while paused, and catches up on resume', async () => {
    const before = await count('[data-count="received"]');
    const shownBefore = await count('[data-count="shown"]');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await page.getByRole('button', { name: /Resume/ }).waitFor();
    const paused = take(sampleTraffic(21), 20);
    await publishAll(stack, paused);
    await waitForCount('received', before + 20);
    await expect(count('[data-count="shown"]')).resolves.toBe(shownBefore);
    await page.getByRole('button', { name: /^20 new events/ }).waitFor();
    await page.keyboard.press('p');
    await waitForCount('shown', shownBefore + 20);
  });

  it('pauses when scrolled away from the live edge and jumps back to live from the badge', async () => {
    await page.locator('.stream').evaluate((element) => (element.scrollTop = 300));
    await page.getByText('Paused while you scroll').waitFor();
    const shown = await count('[data-count="shown"]');
    await publishAll(stack, take(sampleTraffic(31), 5));
    await page.getByRole('button', { name: /^5 new events/ }).click();
    await waitForCount('shown', shown + 5);
    await page.getByText(/^Live, newest first/).waitFor();
    await page.waitForFunction(() => document.querySelector('.stream')?.scrollTop === 0, undefined, {
      timeout: 5000,
    });
  });

  it('exports the filtered buffer as NDJSON', async () => {
    await page.getByRole('checkbox', { name: 'launchpad' }).check();
    const shown = await count('[data-count="shown"]');
    expect(shown).toBeGreaterThan(0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export NDJSON' }).click(),
    ]);
    const path = join(outputDir, 'dashboard-export.ndjson');
    await download.saveAs(path);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(shown);
    for (const line of lines) expect((JSON.parse(line) as { topic: string }).topic).toMatch(/^launchpad\//);
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('keeps at most the retention cap and mounts fewer than 200 rows under a burst', async () => {
    const before = await count('[data-count="received"]');
    // In chunks the page catches up with, so the broker's per-client queue (which drops QoS 0 above
    // its soft cap, by design) never has a reason to drop any: the counts can then be exact.
    const burst = take(sampleTraffic(5), 1500);
    for (let start = 0; start < burst.length; start += 250) {
      await publishAll(stack, burst.slice(start, start + 250), 0);
      await waitForCount('received', before + Math.min(burst.length, start + 250));
    }
    await waitForCount('retained', RETAIN);
    await waitForCount('shown', RETAIN);
    const mounted = await page.locator('.row').count();
    expect(mounted).toBeGreaterThan(0);
    expect(mounted).toBeLessThan(200);
    // Every control has an accessible name.
    const unnamed = await page.$$eval('button, input, select, textarea, a[href]', (elements) =>
      elements
        .filter((element) => {
          const label = (element as HTMLInputElement).labels?.[0]?.textContent ?? '';
          const text = element.getAttribute('aria-label') ?? element.textContent ?? '';
          return (label + text).trim() === '';
        })
        .map((element) => element.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
  });

  it('shows reconnecting when the link to the broker drops, keeps the buffer, and resumes when it is back', async () => {
    const received = await count('[data-count="received"]');
    await stack.cutBrowserLink();
    await page.waitForSelector('[data-state="reconnecting"], [data-state="down"]', { timeout: 15_000 });
    await expect(count('[data-count="retained"]')).resolves.toBe(RETAIN);
    await stack.restoreBrowserLink();
    await page.waitForSelector('[data-state="connected"]', { timeout: 40_000 });
    await expect(count('[data-count="retained"]')).resolves.toBe(RETAIN);
    await publishAll(stack, take(sampleTraffic(41), 3));
    await waitForCount('received', received + 3);
  }, 60_000);
});
