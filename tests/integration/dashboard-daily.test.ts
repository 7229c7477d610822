/// <reference lib="dom" />
// Daily use of the dashboard in real headless Chromium (issue 17): phone and tablet layouts, dark
// mode with a remembered toggle and axe-core checks in both themes, one palette, filters that match
// what rows show, Zuul rows that keep failures visible, and honest state while reconnecting.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sampleTraffic, type SampleMessage } from '@firehose/dashboard/sample-traffic';
import { SERVICE_COLOURS } from '@firehose/schema';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputDir, publishAll, startDashboardStack, type DashboardStack } from './dashboard-harness.js';

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stack: DashboardStack;
let seed = 100;

beforeAll(async () => {
  stack = await startDashboardStack('dashboard-daily-dist');
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const take = (count: number): SampleMessage[] => {
  const traffic = sampleTraffic((seed += 1));
  return Array.from({ length: count }, () => traffic.next().value);
};

/** A fresh browser context (its own localStorage) on the dashboard, connected. */
async function openPage(options: BrowserContextOptions): Promise<Page> {
  const context = await stack.browser.newContext(options);
  const page = await context.newPage();
  await page.goto(stack.server.url);
  await page.waitForSelector('[data-state="connected"]', { timeout: 20_000 });
  return page;
}

const shownCount = (page: Page) => page.locator('[data-count="received"]').textContent().then(Number);

/** Publishes sample traffic and waits until the page has received it. */
async function feed(page: Page, count: number): Promise<void> {
  const before = await shownCount(page);
  await publishAll(stack, take(count));
  await expect.poll(() => shownCount(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(before + count);
}

/** axe-core's WCAG 2 A/AA violations on the page as it is now: `rule: selectors`. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (violation) =>
        `${violation.id}: ${violation.nodes
          .slice(0, 4)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
  });
}

/** Relative luminance of a CSS rgb() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

const hexToRgb = (hex: string) =>
  `rgb(${[1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)).join(', ')})`;

describe('dashboard on a phone and a tablet', () => {
  for (const { name, width, height } of [
    { name: 'phone', width: 390, height: 844 },
    { name: 'tablet', width: 768, height: 1024 },
  ]) {
    it(`${name} (${width}×${height}): the stream has the full width, nothing scrolls sideways, panels open from a bar`, async () => {
      const page = await openPage({ viewport: { width, height }, deviceScaleFactor: 1 });
      await feed(page, 40);
      const stream = await page.locator('.stream').boundingBox();
      expect(stream!.width).toBeGreaterThanOrEqual(width - 1);
      expect(stream!.height).toBeGreaterThan(height / 3);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Rows are readable: the summary gets real room, not ~30 px.
      const summary = await page.locator('.row .summary').first().boundingBox();
      expect(summary!.width).toBeGreaterThan(width / 3);
      await page.screenshot({ path: join(outputDir, `dashboard-${name}.png`) });
      // The panels fold into a bar; one opens as a drawer, and closes again.
      const health = page.getByRole('button', { name: 'Broker health' });
      await health.click();
      await expect(health.getAttribute('aria-expanded')).resolves.toBe('true');
      await page.locator('#panel-health').waitFor({ state: 'visible' });
      await page.screenshot({ path: join(outputDir, `dashboard-${name}-health.png`) });
      await health.click();
      await page.locator('#panel-health').waitFor({ state: 'hidden' });
      // Event details cover the stream and close back to it.
      await page.locator('.row').first().dblclick();
      await page.getByRole('heading', { name: 'Event details' }).waitFor();
      const detail = await page.locator('.detail').boundingBox();
      expect(detail!.width).toBeGreaterThanOrEqual(width - 1);
      await page.getByRole('button', { name: 'Close event details' }).click();
      await page.context().close();
    }, 90_000);
  }

  it('a desktop keeps the side column beside the stream', async () => {
    const page = await openPage({ viewport: { width: 1440, height: 900 } });
    const stream = await page.locator('.stream').boundingBox();
    expect(stream!.width).toBeLessThan(1000);
    await expect(page.locator('.panel-bar').isVisible()).resolves.toBe(false);
    await expect(page.locator('#panel-catalogue').isVisible()).resolves.toBe(true);
    await page.context().close();
  });
});

describe('dark mode', () => {
  it('follows prefers-color-scheme, remembers the toggle, and passes axe-core in both themes', async () => {
    const page = await openPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await feed(page, 40);
    const background = () =>
      page.locator('.stream').evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(luminance(await background())).toBeLessThan(0.05);
    await page.locator('.row').nth(1).dblclick();
    await page.getByRole('heading', { name: 'Event details' }).waitFor();
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: join(outputDir, 'dashboard-dark.png') });

    // The toggle says dark is on; switching to light is remembered across a reload.
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('true');
    await toggle.click();
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    expect(luminance(await background())).toBeGreaterThan(0.8);
    await page.reload();
    await page.waitForSelector('[data-state="connected"]');
    expect(luminance(await background())).toBeGreaterThan(0.8);
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('light');
    await feed(page, 30);
    await page.locator('.row').nth(1).dblclick();
    await page.getByRole('heading', { name: 'Event details' }).waitFor();
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.context().close();
  }, 120_000);

  it('a phone in the dark', async () => {
    const page = await openPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await feed(page, 30);
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: join(outputDir, 'dashboard-phone-dark.png') });
    await page.context().close();
  }, 90_000);
});

describe('rows, filters and state a daily user relies on', () => {
  let page: Page;
  const change = 999_001;
  const zuulTopic = `zuul/openstack/check/openstack/nova/master/${change}`;
  const jobs = [
    'pep8',
    'py310',
    'py311',
    'py312',
    'docs',
    'functional',
    'grenade',
    'tempest-full',
    'zz-failing-job',
  ];
  const zuulReport = (action: string, withBuilds: boolean) => ({
    uuid: `item-${action}-${withBuilds}`,
    action,
    tenant: 'openstack',
    pipeline: 'check',
    project: 'openstack/nova',
    branch: 'master',
    change: String(change),
    patchset: '3',
    change_url: `https://review.example.org/${change}`,
    enqueue_time: Date.now() / 1000 - 272,
    ...(withBuilds
      ? {
          buildset: {
            uuid: 'buildset',
            result: 'FAILURE',
            builds: jobs.map((job) => ({
              job_name: job,
              voting: true,
              result: job === 'zz-failing-job' ? 'FAILURE' : 'SUCCESS',
              log_url: `https://logs.example.org/${job}/`,
            })),
          },
        }
      : {}),
  });

  beforeAll(async () => {
    page = await openPage({ viewport: { width: 1440, height: 900 } });
    // The first run, its failure, a recheck and its failure: attempt 2, with a diff against the start.
    for (const [action, builds] of [
      ['start', false],
      ['failure', true],
      ['start', false],
      ['failure', true],
    ] as const) {
      await stack.publishers.zuul.publish(zuulTopic, zuulReport(action, builds), {
        qos: 1,
        id: crypto.randomUUID(),
      });
    }
    const comment = take(40).find((message) => message.topic.endsWith('/comment-added'))!;
    const data = structuredClone(comment.data) as {
      author: object;
      comment: string;
      change: { number: number };
    };
    data.author = { name: 'Burst Tester', username: 'burst', email: 'bt@example.org' };
    data.comment = 'Please rebase onto the quota engine fix first.';
    data.change.number = 999_002;
    await stack.publishers.gerrit.publish(comment.topic, data, { qos: 1, id: crypto.randomUUID() });
    await stack.publishers.ansible.publish(
      'ansible/playbook/deploy-42/action/finish/FAILED',
      { playbook_id: 'deploy-42', playbook_name: 'deploy', status: 'FAILED' },
      { qos: 1, id: crypto.randomUUID() },
    );
    await stack.publishers.gearman.publish(
      'gearman-logstash/worker01/openstack/nova/999003/retrieve_logs',
      {
        status: 'success',
        build_uuid: 'b0a1c2',
        source_url: 'https://logs.example.org/03/999003/1/check/tempest/b0a1c2/job-output.txt',
        build_name: 'tempest',
        build_change: 999_003,
        project: 'openstack/nova',
      },
      { qos: 1, id: crypto.randomUUID() },
    );
    await page.waitForFunction(
      () => Number(document.querySelector('[data-count="received"]')?.textContent) >= 7,
      undefined,
      {
        timeout: 20_000,
      },
    );
  }, 60_000);

  afterAll(async () => {
    await page?.context().close();
  });

  it('a Zuul row shows the failing job first, "+N more", the attempt and the time in queue', async () => {
    const row = page.locator(`.row[data-topic="${zuulTopic}"]`).first();
    await row.waitFor();
    const jobsShown = await row.locator('.job').allTextContents();
    expect(jobsShown[0]).toMatch(/zz-failing-job FAILURE/);
    // The failure is inside the row's visible box, not cut off at its right edge.
    const rowBox = await row.boundingBox();
    const failing = await row.locator('.job', { hasText: 'zz-failing-job' }).boundingBox();
    expect(failing!.x + failing!.width).toBeLessThanOrEqual(rowBox!.x + rowBox!.width);
    await expect(row.locator('.job-more').textContent()).resolves.toBe(
      `+${jobs.length - jobsShown.length} more`,
    );
    await expect(row.locator('.attempt').textContent()).resolves.toBe('attempt 2');
    await expect(row.locator('.queued').textContent()).resolves.toMatch(/^queued 4 min \d+ s$/);
    // The detail pane diffs it against the previous event of the same change.
    await row.dblclick();
    const diff = page.locator('.detail .diff');
    await diff.waitFor();
    await expect(page.locator('.detail').textContent()).resolves.toContain(
      'Since the previous event of this change (start)',
    );
    await expect(diff.textContent()).resolves.toMatch(/action\s*start\s*→\s*failure/);
    await expect(diff.textContent()).resolves.toMatch(
      /buildset\.builds\[zz-failing-job\]\.result\s*∅\s*→\s*FAILURE|buildset\s*∅\s*→/,
    );
    await page.getByRole('button', { name: 'Close event details' }).click();
  });

  it('the User filter matches the displayed name, the username and the email; free text looks in the comment', async () => {
    const user = page.getByRole('searchbox', { name: 'User' });
    for (const value of ['Burst Tester', 'burst', 'bt@example.org']) {
      await user.fill(value);
      await expect
        .poll(() => page.locator('[data-count="shown"]').textContent(), { timeout: 10_000 })
        .toBe('1');
    }
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('quota engine fix');
    await expect
      .poll(() => page.locator('[data-count="shown"]').textContent(), { timeout: 10_000 })
      .toBe('1');
    await expect(page.locator('.row').first().getAttribute('data-topic')).resolves.toMatch(/^gerrit\//);
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('red means failure only: service badges come from the shared palette, none red', async () => {
    for (const service of ['gerrit', 'zuul', 'ansible', 'gearman-logstash']) {
      const badge = page.locator(`.row[data-service="${service}"] .badge`).first();
      await badge.waitFor();
      const colour = await badge.evaluate((element) => getComputedStyle(element).backgroundColor);
      expect(colour, service).toBe(hexToRgb(SERVICE_COLOURS[service]!.hex));
    }
  });

  it('a log worker row does not link the change number to a log file', async () => {
    const row = page.locator('.row[data-service="gearman-logstash"]').first();
    await expect(row.locator('.change').textContent()).resolves.toBe('#999003');
    await expect(row.locator('a.change').count()).resolves.toBe(0);
    await expect(row.locator('a.link').getAttribute('href')).resolves.toMatch(/job-output\.txt$/);
  });

  it('the catalogue is a tree with per-service totals', async () => {
    const group = page.locator('table.catalogue tbody[data-service="zuul"]');
    await group.waitFor({ timeout: 20_000 });
    await expect
      .poll(
        async () => {
          const total = Number(
            (await group.locator('.service-row [data-total="count"]').textContent())?.replace(/\D/g, ''),
          );
          const parts = await group.locator('tr.type-row td.num:nth-of-type(2)').allTextContents();
          return total > 0 && total === parts.reduce((sum, part) => sum + Number(part.replace(/\D/g, '')), 0);
        },
        { timeout: 20_000 },
      )
      .toBe(true);
  });

  it("while paused, the rows' relative times stand still (no live-region chatter)", async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await page.getByRole('button', { name: /Resume/ }).waitFor();
    const times = () => page.locator('.stream .when').allTextContents();
    const before = await times();
    const tick = Number(await page.locator('.app').getAttribute('data-tick'));
    // Two clock ticks later (the page re-renders every second), the times are unchanged.
    await page.waitForFunction(
      (start) => Number(document.querySelector('.app')?.getAttribute('data-tick')) >= start + 2000,
      tick,
      {
        timeout: 15_000,
      },
    );
    expect(await times()).toEqual(before);
    await page.keyboard.press('p');
  });

  it('exports NDJSON with received_at, as firehose tail -o ndjson writes it', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export NDJSON' }).click(),
    ]);
    const path = join(outputDir, 'dashboard-daily-export.ndjson');
    await download.saveAs(path);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const record = JSON.parse(line) as { topic: string; received_at: string; event: object };
      expect(Object.keys(record)).toEqual(['topic', 'received_at', 'event']);
      expect(new Date(record.received_at).toISOString()).toBe(record.received_at);
    }
  });

  it('while the link is down the stream does not say "Live" and health shows no stale numbers', async () => {
    await page.waitForFunction(
      () => document.querySelector('[data-stat="clients"]')?.textContent !== '–',
      undefined,
      { timeout: 20_000 },
    );
    await stack.cutBrowserLink();
    await page.waitForSelector('[data-state="reconnecting"], [data-state="down"]', { timeout: 20_000 });
    await expect(page.locator('.stream-state').textContent()).resolves.toMatch(/^Not live/);
    await expect(page.locator('.stream-state').getAttribute('data-live')).resolves.toBe('false');
    await expect(page.locator('[data-stat="clients"]').textContent()).resolves.toBe('–');
    await page.screenshot({ path: join(outputDir, 'dashboard-reconnecting.png') });
    await stack.restoreBrowserLink();
    await page.waitForSelector('[data-state="connected"]', { timeout: 40_000 });
    await expect(page.locator('.stream-state').textContent()).resolves.toMatch(/^Live/);
  }, 60_000);
});
