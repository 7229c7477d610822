/// <reference lib="dom" />
// Page callbacks below run in Chromium, so this file sees the DOM types.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect, type FirehoseClient } from '@firehose/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputDir, startDashboardStack, type DashboardStack } from './dashboard-harness.js';

// A site's own services in the dashboard, with no rebuild (issue 18, point 3): the broker runs
// examples/acme-site's catalogue files; the page, built with OpenStack's services only, learns
// github (and, after a catalogue reload, argocd) from the broker's retained $firehose/services
// record, and shows their rows by the declared render rules, in its filters and in its catalogue.
const ACME = resolve(import.meta.dirname, '../../examples/acme-site');
const GITHUB = join(ACME, 'catalogue/github.yaml');
const ARGOCD = join(ACME, 'catalogue/argocd.yaml');
const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(join(ACME, 'fixtures', path), 'utf8')) as unknown;

let stack: DashboardStack;
let page: Page;
let acme: FirehoseClient;
const errors: string[] = [];

const serviceOptions = () =>
  page.$$eval('fieldset.services input[name="service"]', (inputs) =>
    inputs.map((input) => (input as HTMLInputElement).value),
  );
const eventTypeOptions = () =>
  page.$$eval('datalist#event-types option', (options) =>
    options.map((option) => (option as HTMLOptionElement).value),
  );

describe('dashboard: a site’s own services, learned from the broker', () => {
  beforeAll(async () => {
    stack = await startDashboardStack('dashboard-site-services-dist', {
      catalogueFiles: [GITHUB],
      accounts: { acme: ['github/#', 'argocd/#'] },
    });
    page = await stack.browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(stack.server.url);
    await page.waitForSelector('[data-state="connected"]', { timeout: 15_000 });
    acme = await connect(stack.broker.url('mqtt')!, { username: 'acme', password: 'pw' });
  }, 120_000);

  afterAll(async () => {
    await acme?.close();
    await stack?.close();
  });

  it('lists the site service in the service filter, its event types in the Event type field and in the catalogue, before any event', async () => {
    await page.waitForFunction(
      () =>
        (window as unknown as { firehoseDashboard: { siteServices(): string[] } }).firehoseDashboard
          .siteServices()
          .includes('github'),
      undefined,
      { timeout: 15_000 },
    );
    await expect.poll(serviceOptions, { timeout: 15_000 }).toContain('github');
    await expect
      .poll(eventTypeOptions, { timeout: 15_000 })
      .toEqual(expect.arrayContaining(['github.push', 'github.pull-request', 'github.workflow-run']));
    const group = page.locator('table.catalogue tbody[data-service="github"]');
    await group.waitFor({ timeout: 15_000 });
    await expect(group.locator('.service-row').textContent()).resolves.toMatch(/github \(3\)\s*site/);
    await expect(group.locator('tr.type-row code').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['github.push', 'github.pull-request', 'github.workflow-run']),
    );
    // Selecting the service narrows the suggested event types to its own.
    await page.getByRole('checkbox', { name: 'github' }).check();
    await expect
      .poll(eventTypeOptions, { timeout: 15_000 })
      .toEqual(['github.pull-request', 'github.push', 'github.workflow-run']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('renders a site event by its declared render rules: summary, key chips, link', async () => {
    await acme.learnServices();
    await acme.publish('github/acme/widgets/push', fixture('github/push.json'), { qos: 1 });
    const row = page.locator('.row[data-service="github"]').first();
    await row.waitFor({ timeout: 15_000 });
    await expect(row.locator('.type').textContent()).resolves.toBe('push');
    await expect(row.locator('.summary').textContent()).resolves.toBe(
      'acme/widgets refs/heads/main: octocat pushed 1 commits (0d1a26e)',
    );
    await expect(row.locator('.chip[data-key="repo"]').textContent()).resolves.toBe('repo acme/widgets');
    await expect(row.locator('.chip[data-key="ref"]').textContent()).resolves.toBe('ref refs/heads/main');
    await expect(row.locator('.owner').textContent()).resolves.toBe('by octocat');
    await expect(row.locator('a.link').getAttribute('href')).resolves.toBe(
      'https://github.com/acme/widgets/compare/9049f1265b7d...0d1a26e67d8f',
    );
    await expect(row.locator('.topic').textContent()).resolves.toBe('github/acme/widgets/push');
    // What a person sees: the row, the header's counts, and github at the top of the catalogue
    // (busiest first) once the broker's next record counts the push.
    await page.waitForFunction(
      () => document.querySelector('[data-count="shown"]')?.textContent === '1',
      undefined,
      {
        timeout: 15_000,
      },
    );
    await page.waitForFunction(
      () =>
        document.querySelector('table.catalogue tbody[data-service="github"] [data-total="count"]')
          ?.textContent === '1',
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: join(outputDir, 'dashboard-site-services.png') });
  });

  it('follows a catalogue reload on the broker: a service added to the files appears in the filters and its events render as declared', async () => {
    await stack.broker.reloadCatalogue({ catalogue: { interval: 1, files: [GITHUB, ARGOCD] } });
    await expect.poll(serviceOptions, { timeout: 15_000 }).toContain('argocd');
    await expect.poll(eventTypeOptions, { timeout: 15_000 }).toContain('argocd.sync');
    await expect
      .poll(() => acme.catalogue.getService('argocd') !== undefined, { timeout: 15_000 })
      .toBe(true);
    await acme.publish('argocd/widgets-production/sync/Succeeded', fixture('argocd/sync.json'), {
      qos: 1,
    });
    const row = page.locator('.row[data-service="argocd"]').first();
    await row.waitFor({ timeout: 15_000 });
    await expect(row.locator('.summary').textContent()).resolves.toBe(
      'widgets-production sync Succeeded at 0d1a26e (Progressing)',
    );
    await expect(row.locator('.chip[data-key="app"]').textContent()).resolves.toBe('app widgets-production');
    expect(errors).toEqual([]);
  });
});
