/// <reference lib="dom" />
// Page callbacks below run in Chromium, so this file sees the DOM types.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHistoryClient } from '@firehose/client';
import { sampleTraffic, type SampleMessage } from '@firehose/dashboard/sample-traffic';
import { waitFor } from '@firehose/test-support';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputDir, publishAll, startDashboardStack, type DashboardStack } from './dashboard-harness.js';

// Issue 13 point 6: the dashboard over a real broker's SQLite archive, in real headless Chromium.
const ARCHIVED = 300;
const FIRST_PAGE = 200;

const dir = mkdtempSync(join(tmpdir(), 'firehose-dashboard-history-'));
let stack: DashboardStack;
let page: Page;
const published: SampleMessage[] = [];
const errors: string[] = [];

const take = (generator: Generator<SampleMessage, never>, count: number): SampleMessage[] =>
  Array.from({ length: count }, () => generator.next().value);
const waitForCount = (name: string, value: number) =>
  page.waitForFunction(
    ([selector, expected]) => document.querySelector(selector)?.textContent === String(expected),
    [`[data-count="${name}"]`, value] as const,
    { timeout: 15_000 },
  );
const foot = () => page.locator('.archive-foot').textContent();
const scrollToOldest = () =>
  page.locator('.stream').evaluate((element) => (element.scrollTop = element.scrollHeight));

describe('dashboard history in headless Chromium', () => {
  beforeAll(async () => {
    stack = await startDashboardStack('dashboard-history-dist', { historyPath: join(dir, 'archive.sqlite') });
    // Everything here was published before the page opened: only the archive can show it.
    published.push(...take(sampleTraffic(13), ARCHIVED));
    await publishAll(stack, published);
    const archive = createHistoryClient(stack.broker.url('http')!);
    await waitFor(async () => (await archive.search('#', { limit: 1000 })).events.length === ARCHIVED);
    page = await stack.browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => errors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens with the newest archived events instead of an empty page', async () => {
    await page.goto(stack.server.url);
    await page.waitForSelector('[data-state="connected"]', { timeout: 15_000 });
    await waitForCount('shown', FIRST_PAGE);
    await expect(page.locator('[data-count="received"]').textContent()).resolves.toBe('0');
    await expect(page.locator('[data-count="archived"]').textContent()).resolves.toBe(String(FIRST_PAGE));
    // Newest first: the top row is the last message published.
    await expect(page.locator('.row').first().getAttribute('data-topic')).resolves.toBe(
      published.at(-1)!.topic,
    );
    await expect(foot()).resolves.toMatch(/Load older events/);
    await page.screenshot({ path: join(outputDir, 'dashboard-history.png') });
    expect(errors).toEqual([]);
  });

  it('loads older pages when scrolled past the oldest row, down to the start of the archive', async () => {
    await scrollToOldest();
    await waitForCount('shown', ARCHIVED);
    await expect.poll(foot, { timeout: 15_000 }).toMatch(/The start of the archive: nothing older/);
    await page.screenshot({ path: join(outputDir, 'dashboard-history-oldest.png') });
  });

  it('puts live events above the archived ones, each event once', async () => {
    await page.locator('.stream').evaluate((element) => (element.scrollTop = 0));
    await page.locator('[data-live="true"]').waitFor({ timeout: 15_000 });
    const live = take(sampleTraffic(14), 5);
    published.push(...live);
    await publishAll(stack, live);
    await waitForCount('received', live.length);
    await waitForCount('shown', ARCHIVED + live.length);
    await expect(page.locator('.row').first().getAttribute('data-topic')).resolves.toBe(live.at(-1)!.topic);
  });

  it('gives each event a permalink that opens its details', async () => {
    // The oldest row is archived, so its permalink names its cursor.
    await page.getByRole('log').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Event details' }).waitFor();
    const href = await page.getByRole('link', { name: 'Permalink' }).getAttribute('href');
    const cursor = new URL(href!).searchParams.get('event');
    expect(cursor).toMatch(/^[0-9a-f]{16}$/);
    const archived = await createHistoryClient(stack.broker.url('http')!).event(cursor!);
    await page.goto(href!);
    await page.getByRole('heading', { name: 'Event details' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('.detail').textContent()).resolves.toContain(archived.event.id);
    await page.screenshot({ path: join(outputDir, 'dashboard-permalink.png') });
  });

  it('searches the archive in search mode, with the filters in the URL', async () => {
    const zuul = published.filter((message) => message.account === 'zuul').length;
    expect(zuul).toBeGreaterThan(0);
    await page.goto(`${stack.server.url}?service=zuul`);
    await page.getByRole('link', { name: 'Search history' }).click();
    await page.waitForURL(/search=1/);
    expect(new URL(page.url()).searchParams.get('service')).toBe('zuul');
    await expect(page.locator('.stream-state').textContent()).resolves.toMatch(
      /Search results from the archive/,
    );
    await expect.poll(foot, { timeout: 15_000 }).not.toMatch(/Loading/);
    for (let pages = 0; pages < 5 && !/nothing older/.test((await foot()) ?? ''); pages++) {
      await scrollToOldest();
      await page.waitForTimeout(200);
    }
    await waitForCount('shown', zuul);
    const services = await page.$$eval('.row', (rows) => rows.map((row) => row.getAttribute('data-service')));
    expect(new Set(services)).toEqual(new Set(['zuul']));
    await page.screenshot({ path: join(outputDir, 'dashboard-search.png') });

    // A window with nothing in it says so; the form keeps the filters.
    await page.getByRole('textbox', { name: 'From' }).fill('2099-01-01T00:00:00Z');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/from=2099/);
    expect(new URL(page.url()).searchParams.get('service')).toBe('zuul');
    await expect
      .poll(() => page.locator('.stream .empty').textContent(), { timeout: 15_000 })
      .toMatch(/No archived event matches this search/);
    expect(errors).toEqual([]);
  });
});
