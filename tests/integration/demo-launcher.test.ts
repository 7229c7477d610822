import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `pnpm demo` end to end, minus the build (this suite runs after `pnpm build` in `pnpm check`):
// it prints one URL that serves the dashboard, and SIGINT (Ctrl-C) stops everything with exit 0.
const root = fileURLToPath(new URL('../..', import.meta.url));

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
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
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
