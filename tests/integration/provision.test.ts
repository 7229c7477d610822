import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SYSTEM_PROGRAMS,
  chromiumLaunchOptions,
  findProgram,
  selfSignedCertificate,
  systemProgram,
  temporaryDirectory,
} from '@firehose/test-support';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The README's test command promises to pass on a machine with Node and nothing else: `pnpm check` first runs
// scripts/provision.mjs, which installs (as root on Debian) or names every system program the suites start.
// These tests stand in for that bare machine with a PATH holding only `node` and an empty --root, so they
// never install anything, and they keep the list in step with what the suites spawn.

const repo = fileURLToPath(new URL('../..', import.meta.url));
const scratch = temporaryDirectory('provision');
afterEach(() => vi.unstubAllEnvs());

/** The programs issue 19 names; the table may grow, never lose one of these. */
const REQUIRED = [
  'redis-server',
  'redis-sentinel',
  'mosquitto',
  'mosquitto_sub',
  'mosquitto_pub',
  'python3',
  'chromium',
  'postgres',
  'promtool',
];

let dirs = 0;
/** A fresh directory under the scratch directory. */
function freshDir(): string {
  const dir = join(scratch, String(++dirs));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A PATH directory with only `node` in it: a machine with Node and nothing else. */
function bareBin(): string {
  const bin = freshDir();
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

/** An executable shell script at `path` that exits with `code`. */
function stub(path: string, code = 0): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\nexit ${code}\n`);
  chmodSync(path, 0o755);
}

/** Runs scripts/provision.mjs with `args` and only `PATH` in the environment. */
function provision(
  args: string[],
  path: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['scripts/provision.mjs', ...args], {
    cwd: repo,
    env: { PATH: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const packagesOf = (programs: readonly { debianPackage: string }[]) => [
  ...new Set(programs.map((spec) => spec.debianPackage)),
];

describe('scripts/provision.mjs on a machine with only Node', () => {
  it('stops with one message naming every missing program, its package, and the command that installs them all', async () => {
    const { code, stdout, stderr } = await provision(['--check', '--root', freshDir()], bareBin());
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `provision: ${SYSTEM_PROGRAMS.length} of the ${SYSTEM_PROGRAMS.length} system programs the tests start are missing:`,
    );
    const rows = stderr.split('\n').filter((line) => line.includes('Debian package'));
    expect(rows).toHaveLength(SYSTEM_PROGRAMS.length);
    for (const [i, spec] of SYSTEM_PROGRAMS.entries()) {
      expect(rows[i]).toMatch(
        new RegExp(`^ {2}\\S.*  Debian package ${spec.debianPackage}, for the ${spec.usedBy}$`),
      );
      expect(rows[i]).toContain(spec.description ?? spec.program);
    }
    // Run as root here, so the command is without sudo; each package once, in the table's order.
    const command = `apt-get update && apt-get install -y --no-install-recommends ${packagesOf(SYSTEM_PROGRAMS).join(' ')}`;
    expect(stderr).toContain(
      `Install them with this command, then run the tests again:\n  ${process.getuid?.() === 0 ? '' : 'sudo '}${command}\n`,
    );
  });

  it('lists every program the issue names, with the Debian package that provides it', () => {
    const table = new Map(SYSTEM_PROGRAMS.map((spec) => [spec.program, spec.debianPackage]));
    expect(REQUIRED.filter((program) => !table.has(program))).toEqual([]);
    expect(table.get('mosquitto_sub')).toBe('mosquitto-clients');
    expect(table.get('python3')).toBe('python3-paho-mqtt');
    expect(table.get('postgres')).toBe('postgresql');
    expect(table.get('promtool')).toBe('prometheus');
  });

  it('names only what is missing, and exits 0 once everything is there', async () => {
    const bin = bareBin();
    const root = freshDir();
    const absent = new Set(['redis-sentinel', 'promtool']);
    for (const spec of SYSTEM_PROGRAMS) {
      if (absent.has(spec.program)) continue;
      // Programs with fixed locations go there (python3 must be Debian's); the rest on PATH.
      const location = spec.locations?.[0];
      if (location) stub(join(root, location.replace('*', '15')));
      else stub(join(bin, spec.program));
    }
    const partial = await provision(['--check', '--root', root], bin);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('2 of the');
    expect(partial.stderr.split('\n').filter((line) => line.includes('Debian package'))).toEqual([
      expect.stringMatching(/^ {2}redis-sentinel +Debian package redis-sentinel,/),
      expect.stringMatching(/^ {2}promtool +Debian package prometheus,/),
    ]);
    expect(partial.stderr).toMatch(/apt-get install -y --no-install-recommends redis-sentinel prometheus\n/);

    for (const program of absent) stub(join(bin, program));
    const complete = await provision(['--check', '--root', root], bin);
    expect(complete).toMatchObject({ code: 0, stdout: '' });
    expect(complete.stderr).toBe(
      `provision: all ${SYSTEM_PROGRAMS.length} system programs the tests start are installed.\n`,
    );
  });

  it('refuses an unknown option with a sentence, and explains itself with --help', async () => {
    const bad = await provision(['--chekc'], bareBin());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("provision: Unknown option '--chekc': see --help.\n");
    const help = await provision(['--help'], bareBin());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: node scripts\/provision.mjs \[--check\] \[--root DIR\]/);
  });
});

describe('finding a system program', () => {
  it('looks where Debian installs off PATH, newest version first, and honours an override variable', () => {
    const root = freshDir();
    const env = { PATH: bareBin() };
    expect(findProgram('postgres', { env, root })).toBeUndefined();
    for (const version of ['9.6', '15', '16']) stub(join(root, `usr/lib/postgresql/${version}/bin/postgres`));
    expect(findProgram('postgres', { env, root })).toBe(join(root, 'usr/lib/postgresql/16/bin/postgres'));
    stub(join(root, 'usr/sbin/mosquitto'));
    expect(findProgram('mosquitto', { env, root })).toBe(join(root, 'usr/sbin/mosquitto'));

    const chromium = join(freshDir(), 'my-chromium');
    expect(findProgram('chromium', { env: { ...env, CHROMIUM_PATH: chromium }, root })).toBeUndefined();
    stub(chromium);
    expect(findProgram('chromium', { env: { ...env, CHROMIUM_PATH: chromium }, root })).toBe(chromium);
  });

  it("counts python3 only when it imports paho-mqtt (Debian's, not another python3 on PATH)", () => {
    const root = freshDir();
    const bin = bareBin();
    stub(join(bin, 'python3'), 1); // a pyenv python3 without paho-mqtt
    expect(findProgram('python3', { env: { PATH: bin }, root })).toBeUndefined();
    stub(join(root, 'usr/bin/python3'), 0);
    expect(findProgram('python3', { env: { PATH: bin }, root })).toBe(join(root, 'usr/bin/python3'));
  });

  it('a name not in the table is a sentence saying where to add it', () => {
    expect(() => systemProgram('redis-cli')).toThrow(
      'redis-cli is not in SYSTEM_PROGRAMS (tests/support/src/system-programs.mjs): add a row for it there, so provisioning installs it.',
    );
  });

  it('a missing program is a sentence naming it and the install command, not spawn ENOENT', () => {
    vi.stubEnv('PATH', bareBin());
    vi.stubEnv('CHROMIUM_PATH', '');
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    expect(() => systemProgram('redis-sentinel')).toThrow(
      'redis-sentinel is not installed, and the broker Redis Sentinel tests need it: run ' +
        `\`${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends redis-sentinel\` ` +
        '(or `node scripts/provision.mjs`, which `pnpm check` runs first, to install every program the tests need).',
    );
    // The shared helpers that start programs go through it.
    expect(() => chromiumLaunchOptions()).toThrow(
      /^chromium is not installed, .*install -y --no-install-recommends chromium`, or set CHROMIUM_PATH to its path/,
    );
    expect(() => selfSignedCertificate()).toThrow(
      /^openssl is not installed, and the TLS tests need it: run `/,
    );
  });
});

/** What the README's commands themselves install (Node, npm, pnpm): not system programs of the table. */
const TOOLCHAIN = new Set(['node', 'npm', 'pnpm']);

/** Source files of the suites: test directories and `*.test.*` files, outside node_modules and dist. */
function testSources(dir: string, inTestDir = false): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', 'dist', '.turbo', 'test-output'].includes(entry.name)) return [];
      return testSources(path, inTestDir || ['test', 'tests', 'integration'].includes(entry.name));
    }
    const code = /\.(?:[cm]?[jt]s|tsx)$/.test(entry.name);
    return code && (inTestDir || /\.test\.[cm]?[jt]sx?$/.test(entry.name)) ? [path] : [];
  });
}

/**
 * Programs `source` starts by a literal name (`spawn('redis-server', …)`, `execFileSync('openssl', …)`,
 * `exec('mosquitto -c …')`) instead of through systemProgram(), and the names it passes to systemProgram().
 */
function spawnedPrograms(source: string): { literal: string[]; resolved: string[] } {
  const call =
    /(?<!\.)\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync|execa|fork)\(\s*(['"`])([^'"`]*)\1/g;
  const literal = [...source.matchAll(call)].map((match) => match[2]!.trim().split(/\s+/)[0]!);
  const resolved = [...source.matchAll(/\bsystemProgram\(\s*(['"`])([^'"`]+)\1/g)].map((match) => match[2]!);
  return { literal, resolved };
}

describe('the list keeps up with the suites', () => {
  it('the scanner finds a program started by name, and one resolved through systemProgram()', () => {
    expect(spawnedPrograms("spawn('redis-server', ['--port', '0'])")).toEqual({
      literal: ['redis-server'],
      resolved: [],
    });
    expect(spawnedPrograms('execSync(`mosquitto -c ${conf}`)').literal).toEqual(['mosquitto']);
    expect(spawnedPrograms("spawn(systemProgram('promtool'), ['check', 'rules'])")).toEqual({
      literal: [],
      resolved: ['promtool'],
    });
  });

  it('every program a suite starts goes through systemProgram(), and each is in SYSTEM_PROGRAMS', () => {
    const files = [
      ...testSources(join(repo, 'packages')),
      ...testSources(join(repo, 'apps')),
      ...testSources(join(repo, 'tests'), true),
    ];
    const table = new Set<string>(SYSTEM_PROGRAMS.map((spec) => spec.program));
    const byName: string[] = [];
    const unknown: string[] = [];
    const resolved = new Set<string>();
    for (const file of files) {
      if (file === fileURLToPath(import.meta.url)) continue; // its own examples above
      const found = spawnedPrograms(readFileSync(file, 'utf8'));
      const where = relative(repo, file);
      const system = found.literal.filter((program) => !TOOLCHAIN.has(program));
      byName.push(...system.map((program) => `${where}: ${program}`));
      unknown.push(
        ...found.resolved.filter((program) => !table.has(program)).map((program) => `${where}: ${program}`),
      );
      for (const program of found.resolved) resolved.add(program);
    }
    // Spawn systemProgram('x') (and add x to tests/support/src/system-programs.mjs), never a bare name.
    expect(byName).toEqual([]);
    expect(unknown).toEqual([]);
    // The scan reached the helpers that start programs today. (A wrapper such as interop-clients' run(program)
    // passes names on at run time; systemProgram() throws, naming this table, for a name not in it.)
    expect(files.map((file) => relative(repo, file))).toEqual(
      expect.arrayContaining([
        'tests/integration/interop-clients.test.ts',
        'packages/broker/test/redis-server.ts',
      ]),
    );
    expect([...resolved]).toEqual(expect.arrayContaining(['redis-server', 'chromium', 'openssl']));
  });
});
