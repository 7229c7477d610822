// Shared set-up for the dashboard's browser test and load check: a real broker with service
// accounts, the built dashboard served statically, real publishers and headless Chromium.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { hashPassword, type FirehoseBroker } from '@firehose/broker';
import { connect, type FirehoseClient } from '@firehose/client';
import { sampleAccounts, type SampleMessage } from '@firehose/dashboard/sample-traffic';
import { startDashboardServer, type DashboardServer } from '@firehose/dashboard/server';
import { chromiumLaunchOptions, startTestBroker } from '@firehose/test-support';
import { chromium, type Browser } from 'playwright-core';

export const outputDir = resolve(import.meta.dirname, '../../test-output');
const dashboardDir = dirname(createRequire(import.meta.url).resolve('@firehose/dashboard/package.json'));

/** Builds the dashboard afresh into test-output, so the test never runs a stale dist/. */
function buildDashboard(name: string): string {
  const outDir = join(outputDir, name);
  execFileSync(
    process.execPath,
    [
      join(dashboardDir, 'node_modules/vite/bin/vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      cwd: dashboardDir,
      stdio: 'inherit',
    },
  );
  return outDir;
}

export interface DashboardStack {
  readonly broker: FirehoseBroker;
  /** Cuts the page off the broker: the WebSocket proxy between them drops every connection and stops listening. */
  cutBrowserLink(): Promise<void>;
  /** Listens again on the same port, so the page can reconnect. */
  restoreBrowserLink(): Promise<void>;
  readonly server: DashboardServer;
  readonly browser: Browser;
  readonly publishers: Record<SampleMessage['account'], FirehoseClient>;
  close(): Promise<void>;
}

export interface DashboardStackOptions {
  /**
   * A SQLite file: the broker keeps history there and serves it on an HTTP listener the page reads.
   * Without it the page is served with history off, so it never reads some other broker's archive.
   * @default undefined
   */
  readonly historyPath?: string;
  /**
   * Site catalogue files the broker runs beside the built-in services (`catalogue.files`).
   * @default none
   */
  readonly catalogueFiles?: readonly string[];
  /**
   * More accounts (password `pw`) and the topics each may publish, for the site's publishers.
   * @default none
   */
  readonly accounts?: Readonly<Record<string, readonly string[]>>;
}

/** Broker (MQTT + WebSocket on free loopback ports, catalogue and $SYS every second), server, browser, publishers. */
export async function startDashboardStack(
  buildName: string,
  options: DashboardStackOptions = {},
): Promise<DashboardStack> {
  const chromiumOptions = chromiumLaunchOptions(); // fails early, before the build, if Chromium is missing
  mkdirSync(outputDir, { recursive: true });
  const root = buildDashboard(buildName);
  const password = await hashPassword('pw');
  const accounts = Object.fromEntries(
    Object.entries({ ...sampleAccounts, ...options.accounts }).map(([name, write]) => [
      name,
      { password, write: [...write] },
    ]),
  );
  const history = options.historyPath;
  const broker = await startTestBroker({
    accounts,
    catalogue: {
      interval: 1,
      ...(options.catalogueFiles === undefined ? {} : { files: [...options.catalogueFiles] }),
    },
    sys: { interval: 1 },
    ...(history === undefined
      ? {}
      : {
          listeners: {
            mqtt: { host: '127.0.0.1', port: 0 },
            ws: { host: '127.0.0.1', port: 0 },
            http: { host: '127.0.0.1', port: 0 },
          },
          history: { enabled: true, path: history },
        }),
  });
  const mqttUrl = broker.url('mqtt')!;
  // The page reaches the broker through a TCP proxy the test can cut, to see a real reconnect.
  const proxy = await startTcpProxy(broker.address('ws')!.port);
  const server = await startDashboardServer({
    port: 0,
    host: '127.0.0.1',
    broker: `ws://127.0.0.1:${proxy.port}/mqtt`,
    // With history, the page reads it through the dashboard server (one origin), as pnpm demo does.
    ...(history === undefined ? { history: 'off' } : { historyUpstream: broker.url('http') }),
    root,
  });
  const browser = await chromium.launch(chromiumOptions);
  const publishers = {} as Record<SampleMessage['account'], FirehoseClient>;
  for (const account of Object.keys(sampleAccounts) as SampleMessage['account'][]) {
    publishers[account] = await connect(mqttUrl, {
      username: account,
      password: 'pw',
      clientId: `sample-${account}`,
    });
  }
  return {
    broker,
    cutBrowserLink: () => proxy.cut(),
    restoreBrowserLink: () => proxy.restore(),
    server,
    browser,
    publishers,
    async close() {
      await Promise.allSettled(Object.values(publishers).map((client) => client.close()));
      await browser.close().catch(() => undefined);
      await server.close();
      await proxy.cut();
      await broker.close();
    },
  };
}

/** A loopback TCP proxy to `targetPort` that can drop its connections and stop listening, then listen again. */
async function startTcpProxy(
  targetPort: number,
): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = netConnect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<number>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolveListen((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  return {
    port,
    async cut() {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async restore() {
      await listen(port);
    },
  };
}

/** Publishes messages with a few in flight at once; resolves when all are acknowledged (QoS 1). */
export async function publishAll(
  stack: DashboardStack,
  messages: readonly SampleMessage[],
  qos: 0 | 1 = 1,
): Promise<void> {
  const inFlight = 32;
  for (let start = 0; start < messages.length; start += inFlight) {
    await Promise.all(
      messages.slice(start, start + inFlight).map((message) =>
        stack.publishers[message.account].publish(message.topic, message.data, {
          qos,
          id: crypto.randomUUID(),
        }),
      ),
    );
  }
}
