import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gerrit } from '@firehose/schema';
import { chromiumLaunchOptions } from '@firehose/test-support';
import { chromium } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { describe, expect, it } from 'vitest';
import { commentAdded, onCleanup, openPublisher, startBroker } from './helpers.js';

interface PageTest {
  received: { number: number; project: string | undefined; state: string }[];
  start(url: string): Promise<string>;
  publish(url: string, data: unknown): Promise<string>;
}
declare const firehoseTest: PageTest;

/** Bundles test/browser/entry.ts the way an app's Vite build would (browser conditions, no Node shims). */
async function bundle(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'firehose-browser-'));
  onCleanup(() => rm(outDir, { recursive: true, force: true }));
  await build({
    configFile: false,
    logLevel: 'silent',
    root: import.meta.dirname,
    // Workspace packages resolve to their TypeScript source, as in every other test.
    resolve: { conditions: ['@firehose/source', ...defaultClientConditions] },
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: join(import.meta.dirname, 'browser/entry.ts'), formats: ['es'], fileName: 'bundle' },
    },
  });
  return readFile(join(outDir, 'bundle.js'), 'utf8');
}

describe('browser build', () => {
  it(
    'a Vite bundle runs in headless Chromium, subscribes over ws:// and receives typed events',
    { timeout: 90_000 },
    async () => {
      const code = await bundle();
      // Nothing Node-only made it into the browser graph (Vite would have stubbed it out).
      expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|__vite-browser-external/);

      const broker = await startBroker();
      const wsUrl = broker.url('ws')!;
      const browser = await chromium.launch(chromiumLaunchOptions());
      onCleanup(() => browser.close());
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.setContent('<!doctype html><title>firehose client test</title>');
      await page.addScriptTag({ content: code, type: 'module' });
      await page.waitForFunction(
        () => typeof (globalThis as { firehoseTest?: unknown }).firehoseTest === 'object',
      );

      expect(await page.evaluate((url) => firehoseTest.start(url), wsUrl)).toBe('connected');
      // From Node, over MQTT/TCP…
      const publisher = await openPublisher(broker.url('mqtt')!);
      await publisher.publish(gerrit.commentAdded.topic({ project: 'openstack/nova' }), commentAdded(41));
      await publisher.publish(
        gerrit.commentAdded.topic({ project: 'openstack/neutron' }),
        commentAdded(99, 'openstack/neutron'),
      );
      // …and from the browser itself, with the service account over ws://.
      await page.evaluate(([url, data]) => firehoseTest.publish(url, data), [
        wsUrl,
        commentAdded(42),
      ] as const);
      await page.waitForFunction(() => firehoseTest.received.length >= 2, undefined, { timeout: 10_000 });
      const received = await page.evaluate(() => firehoseTest.received);
      expect(received).toEqual([
        { number: 41, project: 'openstack/nova', state: 'connected' },
        { number: 42, project: 'openstack/nova', state: 'connected' },
      ]);
      expect(pageErrors).toEqual([]);
    },
  );
});
