// Starts each broker under test fresh, as its own process, and reads its CPU time and memory from
// /proc/<pid> (the same way for all three, so the figures compare).
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The brokers, in the order the tables list them. */
export const BROKERS = ['firehose', 'mosquitto', 'aedes'];
/** Only with FIREHOSE_BASE_DIST set (`--brokers firehose,firehose-base,…`): a base build to compare with. */
export const OPTIONAL_BROKERS = ['firehose-base'];

export const BROKER_LABELS = {
  firehose: 'firehose',
  mosquitto: 'Mosquitto',
  aedes: 'plain aedes',
  'firehose-base': 'firehose (base build)',
};

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The soft and hard open-file limits this process runs with. */
export function fileLimits() {
  const line = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
    readFileSync('/proc/self/limits', 'utf8'),
  );
  const value = (text) => (text === 'unlimited' ? Infinity : Number(text));
  return { soft: value(line?.[1] ?? '1024'), hard: value(line?.[2] ?? '1024') };
}

/** The mosquitto version string, or undefined when it is not installed. */
export function mosquittoVersion() {
  try {
    const out = execFileSync('mosquitto', ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /mosquitto version (\S+)/.exec(out)?.[1];
  } catch (error) {
    return /mosquitto version (\S+)/.exec(String(error.stdout ?? ''))?.[1];
  }
}

/** Whether the `aedes-upstream` in node_modules carries this repository's aedes patch. */
export function aedesIsPatched() {
  // A file read, not an import: aedes' exports map hides lib/.
  const utils = join(
    fileURLToPath(new URL('..', import.meta.url)),
    'node_modules',
    'aedes-upstream',
    'lib',
    'utils.js',
  );
  try {
    return readFileSync(utils, 'utf8').includes('class InOrder');
  } catch {
    return false;
  }
}

/** CPU time (µs, user + system, all threads) and memory (bytes) of a process. */
export function sampleProcess(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuMicros: (ticks * 1e6) / CLOCK_TICKS, rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/** File descriptors a process holds open. */
export function openFiles(pid) {
  try {
    return execFileSync('ls', [`/proc/${pid}/fd`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
  } catch {
    return NaN;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The firehose configuration the bench runs: production hooks, limits opened for load from one address. */
export const FIREHOSE_CONFIG = {
  listeners: { mqtt: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0 } },
  // Publishers authenticate and are checked against a write ACL; subscribers read anonymously;
  // declared topics are validated, undeclared ones allowed (the defaults).
  accounts: { bench: { password: 'bench-pw', write: ['bench/#', 'gerrit/#', 'zuul/#'] } },
  limits: { maxConnectionsPerIp: 50_000, connectionRatePerIp: 1_000_000, maxSessionsPerIp: 50_000 },
};
export const PUBLISHER_LOGIN = { username: 'bench', password: 'bench-pw' };

async function startNodeBroker(kind, { profileDir, config = FIREHOSE_CONFIG, quick = false }) {
  const execArgv = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`]
    : [];
  const child = fork(
    fileURLToPath(new URL('./broker-process.mjs', import.meta.url)),
    [kind, JSON.stringify(config), quick ? 'quick' : ''],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv,
    },
  );
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`The ${kind} broker exited during start (code ${code}).`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    kind,
    pid: child.pid,
    port: ready.port,
    wsUrl: ready.wsUrl,
    stop: async () => {
      if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function startMosquitto() {
  const dir = mkdtempSync(join(tmpdir(), 'firehose-bench-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // Unlimited queues and in-flight windows, like the other two; no persistence, no logging.
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      'max_inflight_messages 0',
      'max_connections -1',
      'log_dest none',
      '',
    ].join('\n'),
  );
  // Its open-file limit raised to the hard limit for the 10,000-connection scenario.
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec mosquitto -c "$0"', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 100 && !(await canConnect(port)); i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited during start (code ${child.exitCode}).`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    kind: 'mosquitto',
    pid: child.pid,
    port,
    wsUrl: undefined,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a fresh broker of `kind`; `profileDir` writes a CPU profile of a node broker there; `config`
 * replaces firehose's (account passwords in plain text: the broker process hashes them).
 */
export function startBroker(kind, options = {}) {
  return kind === 'mosquitto' ? startMosquitto() : startNodeBroker(kind, options);
}
