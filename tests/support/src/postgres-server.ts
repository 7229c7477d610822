import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { systemProgram } from './system-programs.mjs';

/** A throwaway PostgreSQL server on loopback. */
export interface PostgresServer {
  /** `postgres://firehose@127.0.0.1:PORT/postgres` (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  /** What the server printed so far (every run of it). */
  output(): string;
  /**
   * Stops the server and keeps its data, so that `resume()` starts it again where it was: an
   * outage of the database. SIGINT by default (fast shutdown: clients cut, committed rows kept);
   * SIGQUIT or SIGKILL is a crash, which loses the last commits (the server runs with
   * `synchronous_commit=off` and no fsync, for speed).
   */
  pause(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a paused server again on the same port and data; resolves once it accepts connections. */
  resume(): Promise<void>;
  /** Stops the server (SIGQUIT unless told) and removes its data directory. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Seconds postgres has to say it accepts connections. */
const START_TIMEOUT_MS = 30_000;

/**
 * PostgreSQL refuses to run as root (initdb and postgres both), and CI runs as root: then both
 * run as Debian's `postgres` system user, which the `postgresql` package creates.
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (line === undefined)
    throw new Error(
      "PostgreSQL will not run as root and there is no postgres user to run it as: install Debian's postgresql package (`node scripts/provision.mjs`).",
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a fresh PostgreSQL (initdb into a temporary directory, no fsync) on a free loopback port,
 * its socket directory inside that directory; resolves once it accepts connections.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'firehose-postgres-'));
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(
    systemProgram('initdb'),
    ['-D', data, '-U', 'firehose', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { encoding: 'utf8', ...(user ?? {}) },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  let output = '';
  let child: ChildProcess | undefined;

  const halt = (signal: NodeJS.Signals): Promise<void> =>
    new Promise<void>((resolve) => {
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return resolve();
      running.once('exit', () => resolve());
      running.kill(signal);
    });

  const launch = async (): Promise<void> => {
    const started = spawn(
      systemProgram('postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) },
    );
    child = started;
    const from = output.length;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`postgres did not start in 30 s:\n${output.slice(-2000)}`)),
          START_TIMEOUT_MS,
        );
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes('database system is ready to accept connections', from)) {
            clearTimeout(timer);
            resolve();
          }
        };
        started.stdout.on('data', onData);
        started.stderr.on('data', onData);
        started.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`postgres exited with ${code}:\n${output.slice(-2000)}`));
        });
      });
    } catch (error) {
      await halt('SIGQUIT');
      throw error;
    }
  };

  const stop = (signal: NodeJS.Signals = 'SIGQUIT'): Promise<void> =>
    halt(signal).then(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `postgres://firehose@127.0.0.1:${port}/postgres`,
    port,
    output: () => output,
    pause: (signal = 'SIGINT') => halt(signal),
    resume: launch,
    stop,
  };
}
