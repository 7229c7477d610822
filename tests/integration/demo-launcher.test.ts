import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, temporaryDirectory } from '@firehose/test-support';
import { describe, expect, it } from 'vitest';

// `pnpm demo` end to end, minus the build (this suite runs after `pnpm build` in `pnpm check`):
// it prints one URL that serves the dashboard, and SIGINT (Ctrl-C) stops everything with exit 0.
const root = fileURLToPath(new URL('../..', import.meta.url));
// The demo's temporary files (its history archive) go here: a demo the test ends with SIGKILL, after its
// ports are free but before its own cleanup ran, leaves nothing behind in /tmp.
const env = { ...process.env, TMPDIR: temporaryDirectory('demo-launcher') };

describe('pnpm demo launcher', () => {
  it('prints the dashboard URL and the tail command, serves the page, and stops cleanly on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [
        'demo/run.mjs',
        '--no-build',
        '--mqtt-port',
        '0',
        '--ws-port',
        '0',
        '--http-port',
        '0',
        '--dashboard-port',
        '0',
      ],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => output, { timeout: 45_000, interval: 100 }).toMatch(/Ctrl-C stops everything/);
      const urls = [...output.matchAll(/Open the dashboard:\s+(\S+)/g)].map((m) => m[1]!);
      expect(urls).toHaveLength(1);
      // One URL to open: no other http(s) address competes with it.
      expect(output.match(/https?:\/\//g)).toHaveLength(1);
      expect(output).toMatch(/node packages\/cli\/dist\/bin\.js tail --url mqtt:\/\/127\.0\.0\.1:\d+/);
      const page = await fetch(urls[0]!);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toMatch(/demo: stopped\./);
  }, 60_000);
});

/** Whether something listens on `port` (a connect succeeds). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('pnpm demo stops cleanly however it is stopped', () => {
  const cases = [
    { name: 'kill -TERM on the pnpm process', via: 'pnpm', signal: 'SIGTERM' },
    { name: 'kill -HUP on node demo/run.mjs', via: 'node', signal: 'SIGHUP' },
  ] as const;
  for (const { name, via, signal } of cases) {
    it(`${name} frees every port it listened on`, async () => {
      const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      const flags = ['--no-build', '--mqtt-port', '--ws-port', '--http-port', '--dashboard-port'].flatMap(
        (flag, index) => (index === 0 ? [flag] : [flag, String(ports[index - 1])]),
      );
      // Its own process group, so the test can clean up pnpm, its shell and node even if the demo fails.
      const child =
        via === 'pnpm'
          ? spawn('pnpm', ['demo', ...flags], {
              cwd: root,
              env,
              stdio: ['ignore', 'pipe', 'pipe'],
              detached: true,
            })
          : spawn(process.execPath, ['demo/run.mjs', ...flags], {
              cwd: root,
              env,
              stdio: ['ignore', 'pipe', 'pipe'],
              detached: true,
            });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await expect
          .poll(() => output, { timeout: 45_000, interval: 100 })
          .toMatch(/Ctrl-C stops everything/);
        for (const port of ports) await expect(listening(port)).resolves.toBe(true);
        child.kill(signal);
        // The demo bounds its own shutdown at 4 s; the poll is generous for a loaded machine.
        for (const port of ports)
          await expect.poll(() => listening(port), { timeout: 20_000, interval: 100 }).toBe(false);
      } finally {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone: the demo stopped as it should.
        }
      }
    }, 90_000);
  }

  it('a busy port at start is one sentence naming the port and what to do', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = (holder.address() as AddressInfo).port;
    try {
      const child = spawn(
        process.execPath,
        [
          'demo/run.mjs',
          '--no-build',
          '--mqtt-port',
          '0',
          '--ws-port',
          String(busy),
          '--http-port',
          '0',
          '--dashboard-port',
          '0',
        ],
        { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr.trim()).toBe(
        `demo: port ${busy} (WebSocket, --ws-port) is already in use, probably by another demo or broker: stop that one (ss -ltnp 'sport = :${busy}' shows which process it is) or start this demo with --ws-port 0 to pick a free port.`,
      );
    } finally {
      holder.close();
    }
  }, 30_000);
});
