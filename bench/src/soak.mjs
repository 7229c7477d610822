// `pnpm bench --soak`: the firehose broker alone for N minutes under the demo publishers' traffic at
// 10× rate, with 500 subscribers connecting and leaving every few seconds. RSS and open file
// handles are sampled every 10 s; memory that keeps growing after warm-up is a leak.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FIREHOSE_CONFIG, openFiles, sampleProcess, startBroker } from './brokers.mjs';
import { openConnection, subscribe } from './wire.mjs';

const root = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SUBSCRIBERS = 500;
const CHURN_EVERY_MS = 2000;
const CHURN = 50;
const SAMPLE_EVERY_MS = 10_000;

export async function soak({ minutes }) {
  const demo = root('apps/demo-publishers/dist/main.js');
  if (!existsSync(demo)) throw new Error('The demo publishers are not built; run `pnpm build` first.');
  const accountsFile = root('demo/accounts.json');
  const logins = JSON.parse(readFileSync(accountsFile, 'utf8'));
  const accounts = {};
  for (const [service, login] of Object.entries(logins)) {
    if (!service.startsWith('$'))
      accounts[login.username] = { password: login.password, write: [`${service}/#`] };
  }
  const broker = await startBroker('firehose', { config: { ...FIREHOSE_CONFIG, accounts } });
  const publishers = spawn(
    process.execPath,
    [demo, '--url', `mqtt://127.0.0.1:${broker.port}`, '--rate', '10', '--accounts', accountsFile, '--quiet'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const filters = [
    '#',
    'gerrit/#',
    'zuul/#',
    'gerrit/openstack/nova/#',
    'gerrit/+/+/comment-added',
    'launchpad/#',
    '$SYS/#',
  ];
  let delivered = 0;
  let serial = 0;
  const live = new Set();
  const open = async () => {
    const conn = await openConnection({ port: broker.port, clientId: `soak-${serial++}` });
    conn.onPacket = (type) => {
      if (type === 3) delivered++;
    };
    await subscribe(conn, [filters[serial % filters.length]], serial % 2);
    live.add(conn);
  };
  for (let i = 0; i < SUBSCRIBERS; i += 50) await Promise.all(Array.from({ length: 50 }, open));
  let churned = 0;
  const churn = setInterval(() => {
    const victims = [...live].slice(0, CHURN);
    for (const conn of victims) {
      live.delete(conn);
      conn.close();
    }
    churned += victims.length;
    void Promise.all(victims.map(open)).catch((error) =>
      console.error(`soak: reconnect failed: ${error.message}`),
    );
  }, CHURN_EVERY_MS);

  const samples = [];
  const started = Date.now();
  const end = started + minutes * 60_000;
  console.log(
    `soak: firehose on :${broker.port}, demo publishers at 10×, ${SUBSCRIBERS} subscribers churning ${CHURN} every ${CHURN_EVERY_MS / 1000} s, ${minutes} min`,
  );
  console.log('| t s | RSS MiB | open fds | deliveries in 10 s | subscribers churned |');
  console.log('|---:|---:|---:|---:|---:|');
  let lastDelivered = 0;
  while (Date.now() < end) {
    await sleep(SAMPLE_EVERY_MS);
    const { rss } = sampleProcess(broker.pid);
    const sample = {
      t: Math.round((Date.now() - started) / 1000),
      rss,
      fds: openFiles(broker.pid),
      delivered: delivered - lastDelivered,
      churned,
    };
    lastDelivered = delivered;
    samples.push(sample);
    console.log(
      `| ${sample.t} | ${(rss / 2 ** 20).toFixed(1)} | ${sample.fds} | ${sample.delivered} | ${churned} |`,
    );
  }
  clearInterval(churn);
  publishers.kill('SIGTERM');
  for (const conn of live) conn.close();
  await broker.stop();

  // Growth after warm-up: the last third's median RSS against the second third's.
  const third = Math.max(1, Math.floor(samples.length / 3));
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
  const middle = median(samples.slice(third, 2 * third).map((s) => s.rss));
  const last = median(samples.slice(2 * third).map((s) => s.rss));
  const verdict = `RSS median ${(middle / 2 ** 20).toFixed(1)} MiB in the middle third, ${(last / 2 ** 20).toFixed(1)} MiB in the last third (${(((last - middle) / middle) * 100).toFixed(1)} %)`;
  console.log(verdict);
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}soak-${new Date().toISOString().replace(/[:.]/g, '-')}.md`;
  writeFileSync(
    file,
    [
      `soak: ${minutes} min, demo publishers at 10×, ${SUBSCRIBERS} subscribers churning ${CHURN} every ${CHURN_EVERY_MS / 1000} s`,
      '',
      '| t s | RSS MiB | open fds | deliveries in 10 s | subscribers churned |',
      '|---:|---:|---:|---:|---:|',
      ...samples.map(
        (s) => `| ${s.t} | ${(s.rss / 2 ** 20).toFixed(1)} | ${s.fds} | ${s.delivered} | ${s.churned} |`,
      ),
      '',
      verdict,
      '',
    ].join('\n'),
  );
  console.log(`written: ${file}`);
}
