#!/usr/bin/env node
// Takes docs/dashboard.png (the README's picture) from a running `pnpm demo`:
//   pnpm demo   # in another terminal, then:
//   pnpm --filter @firehose/dashboard screenshot [--url http://127.0.0.1:5173] [--seconds 60] [--out PATH]
// Headless Debian Chromium (CHROMIUM_PATH overrides) at 1440×900, the stream filtered to gerrit, zuul and
// launchpad. The page stays open --seconds first: its rate chart counts only what the page itself received.
/* global document -- the waitForFunction callback runs in the page */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromiumLaunchOptions } from '@firehose/test-support/chromium';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:5173' },
    seconds: { type: 'string', default: '60' },
    out: { type: 'string', default: fileURLToPath(new URL('../../../docs/dashboard.png', import.meta.url)) },
  },
});
// Debian's Chromium, or CHROMIUM_PATH; without either this stops saying how to install it.
const launchOptions = chromiumLaunchOptions();

const url = new URL(values.url);
url.searchParams.set('service', 'gerrit,launchpad,zuul');
const browser = await chromium.launch(launchOptions);
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(url.href);
  await page.waitForSelector('[data-state="connected"]', { timeout: 15_000 });
  await page.waitForTimeout(Number(values.seconds) * 1000);
  // Every panel has data: rows, broker statistics ($SYS) and the catalogue.
  await page.locator('.row').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-stat="clients"]')?.textContent !== '–');
  await page.locator('table.catalogue tbody tr').first().waitFor();
  await page.screenshot({ path: values.out });
  console.log(`wrote ${values.out}`);
} finally {
  await browser.close();
}
