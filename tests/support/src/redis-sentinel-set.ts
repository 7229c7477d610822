import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { systemProgram } from './system-programs.mjs';

/** One redis-server or redis-sentinel process, with what it printed so far. */
export interface RedisProcess {
  readonly port: number;
  readonly output: () => string;
  /** Resolves once the output matches (checked on every chunk), or rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A Redis primary, one replica and three sentinels (quorum 2) on loopback, for failover tests. */
export interface RedisSentinelSet {
  /** The master name the sentinels monitor. */
  readonly name: string;
  readonly primary: RedisProcess;
  readonly replica: RedisProcess;
  readonly sentinels: readonly RedisProcess[];
  /** `redis-sentinel://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/NAME[/DB]`, the broker's `persistence`. */
  url(db?: number): string;
  /**
   * Resolves once a sentinel announced `+switch-master` to the replica: from then on, the sentinels
   * answer the replica's address for the master name.
   */
  promoted(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NAME = 'firehose';

function startProcess(
  program: string,
  args: string[],
  ready: RegExp,
): Promise<RedisProcess & { child: ChildProcess }> {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const port = Number(args[args.indexOf('--port') + 1]);
  const process: RedisProcess & { child: ChildProcess } = {
    child,
    port,
    output: () => output,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match === null) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(match[0]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `${program} on port ${port} did not print ${String(pattern)} in ${timeoutMs} ms:\n${output.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    kill(signal = 'SIGKILL') {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
  };
  child.once('error', (error) => {
    output += `\nspawn failed: ${error.message}`;
    for (const waiter of waiters) waiter();
  });
  return process.waitForOutput(ready).then(() => process);
}

// `--dir`: a replica's full sync writes an RDB file there, which must not land in the working directory.
const serverArgs = (port: number, parent: string): string[] => {
  const dir = join(parent, `redis-${port}`);
  mkdirSync(dir);
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
};

/**
 * Starts the set and waits until every sentinel knows the replica and the two other sentinels, so a
 * failover can be authorised as soon as the primary dies. Failure detection is 1 s
 * (`down-after-milliseconds`), not the default 30 s, to keep tests short.
 */
export async function startRedisSentinelSet(): Promise<RedisSentinelSet> {
  const dir = mkdtempSync(join(tmpdir(), 'firehose-sentinel-'));
  const started: RedisProcess[] = [];
  try {
    const redisServer = systemProgram('redis-server');
    const primary = await startProcess(
      redisServer,
      serverArgs(await freePort(), dir),
      /Ready to accept connections/,
    );
    started.push(primary);
    const replica = await startProcess(
      redisServer,
      [...serverArgs(await freePort(), dir), '--replicaof', '127.0.0.1', String(primary.port)],
      /Ready to accept connections/,
    );
    started.push(replica);
    await replica.waitForOutput(
      /MASTER <-> REPLICA sync: (Finished with success|Master accepted a Partial Resynchronization)/,
    );
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // Sentinel rewrites its config file (known replicas, sentinels, epochs): one writable file each.
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `sentinel monitor ${NAME} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${NAME} 1000`,
          `sentinel failover-timeout ${NAME} 10000`,
          `sentinel parallel-syncs ${NAME} 1`,
          '',
        ].join('\n'),
      );
      const sentinel = await startProcess(
        systemProgram('redis-sentinel'),
        [file, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        /\+monitor master/,
      );
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    for (const sentinel of sentinels) {
      await sentinel.waitForOutput(new RegExp(`\\+slave slave 127\\.0\\.0\\.1:${replica.port}`));
      // Each sentinel announces the two others once their hello messages arrive (every 2 s).
      await sentinel.waitForOutput(/(\+sentinel sentinel[^\n]*\n[^]*){2}/);
    }
    return {
      name: NAME,
      primary,
      replica,
      sentinels,
      url: (db) =>
        `redis-sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${NAME}${db === undefined ? '' : `/${db}`}`,
      async promoted(timeoutMs = 30_000) {
        const switched = new RegExp(
          `\\+switch-master ${NAME} 127\\.0\\.0\\.1 ${primary.port} 127\\.0\\.0\\.1 ${replica.port}`,
        );
        await Promise.any(sentinels.map((sentinel) => sentinel.waitForOutput(switched, timeoutMs)));
      },
      async stop() {
        await Promise.all(started.map((process) => process.kill()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(started.map((process) => process.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
