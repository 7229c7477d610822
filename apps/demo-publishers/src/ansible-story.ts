import { ansible } from '@firehose/schema';
import type { Story, Timeline } from './timeline.js';
import type { World } from './world.js';

interface PlaybookSpec {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly tasks: readonly string[];
}

const range = (prefix: string, count: number, suffix: string) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}${suffix}`);
const mirrors = [
  'dfw.rax',
  'ord.rax',
  'iad.rax',
  'gra1.ovh',
  'bhs1.ovh',
  'sjc1.vexxhost',
  'ca-ymq-1.vexxhost',
  'regionone.osuosl',
].map((region) => `mirror01.${region}.opendev.org`);
const base = [
  'Gathering Facts',
  'base : Install base packages',
  'users : Add infra users',
  'iptables : Install rules',
  'exim : Configure mail relay',
  'unbound : Configure resolver',
];

// Playbooks in the style of opendev/system-config, run from the bridge host.
const playbooks: readonly PlaybookSpec[] = [
  {
    name: 'base.yaml',
    hosts: [
      ...range('ze', 12, '.opendev.org'),
      ...range('nl', 4, '.opendev.org'),
      ...mirrors,
      'review02.opendev.org',
    ],
    tasks: base,
  },
  {
    name: 'service-mirror.yaml',
    hosts: mirrors,
    tasks: [
      'Gathering Facts',
      'mirror : Install apache',
      'mirror : Write vhost',
      'afs-client : Configure cache',
      'mirror : Reload apache',
    ],
  },
  {
    name: 'service-zuul.yaml',
    hosts: ['zuul01.opendev.org', 'zuul02.opendev.org', ...range('ze', 6, '.opendev.org')],
    tasks: [
      'Gathering Facts',
      'zuul : Write zuul.conf',
      'zuul : Pull images',
      'zuul : Start zuul-executor',
      'zuul : Reload tenant config',
    ],
  },
  {
    name: 'service-nodepool.yaml',
    hosts: range('nl', 4, '.opendev.org'),
    tasks: [
      'Gathering Facts',
      'nodepool : Write nodepool.yaml',
      'nodepool : Pull images',
      'nodepool : Restart launcher',
    ],
  },
  {
    name: 'service-review.yaml',
    hosts: ['review02.opendev.org'],
    tasks: [
      'Gathering Facts',
      'gerrit : Write gerrit.config',
      'gerrit : Sync plugins',
      'gerrit : Reindex accounts',
    ],
  },
  {
    name: 'letsencrypt.yaml',
    hosts: [
      'etherpad01.opendev.org',
      'paste01.opendev.org',
      'mirror01.dfw.rax.opendev.org',
      'mirror01.ord.rax.opendev.org',
    ],
    tasks: [
      'Gathering Facts',
      'letsencrypt-request-certs : Run acme.sh',
      'letsencrypt-install-certs : Install certs',
    ],
  },
];

type TaskStatus = 'OK' | 'FAILED' | 'UNREACHABLE';

/**
 * One playbook run: start, one result per task per host (the bulk of the firehose's volume),
 * per-host stats, finish. Results are small and never carry `no_log` data.
 */
export function* ansibleStory(world: World, timeline: Timeline, start: number): Story {
  const { rng } = world;
  const spec = rng.pick(playbooks);
  const id = rng.uuid();
  const head = { playbook_id: id, playbook_name: spec.name };
  timeline.emit(ansible.playbookStart, { playbook: id }, { ...head, status: 'started' }, start);
  const stats = new Map(
    spec.hosts.map((host) => [host, { ok: 0, changed: 0, failures: 0, skipped: 0, unreachable: 0 }]),
  );
  const down = new Set<string>();
  let t = start + rng.between(1_000, 3_000);
  for (const task of spec.tasks) {
    yield t;
    for (const host of spec.hosts) {
      const counts = stats.get(host);
      if (counts === undefined || down.has(host)) continue;
      const status: TaskStatus = rng.weighted([
        ['OK', 200],
        ['FAILED', 1],
        ['UNREACHABLE', task === 'Gathering Facts' ? 1 : 0],
      ] as const);
      const changed = status === 'OK' && rng.chance(0.3);
      if (status === 'OK') counts.ok += 1;
      if (changed) counts.changed += 1;
      if (status === 'FAILED') counts.failures += 1;
      if (status === 'UNREACHABLE') {
        counts.unreachable += 1;
        down.add(host);
      }
      const result =
        status === 'UNREACHABLE'
          ? { unreachable: true, msg: 'Failed to connect to the host via ssh' }
          : { changed, ...(status === 'FAILED' ? { msg: 'non-zero return code', rc: 1 } : {}) };
      timeline.emit(
        ansible.taskResult,
        { playbook: id, host, status },
        { ...head, host, status, ansible_task: task, ansible_type: 'task', ansible_result: result },
        t + rng.between(0, 1_500),
      );
    }
    t += rng.between(2_000, 12_000);
  }
  for (const [host, counts] of stats)
    timeline.emit(ansible.hostStats, { playbook: id, host }, { ...head, host, stats: counts }, t);
  const result = [...stats.values()].some((s) => s.failures > 0 || s.unreachable > 0) ? 'FAILED' : 'OK';
  timeline.emit(ansible.playbookFinish, { playbook: id, result }, { ...head, status: result }, t + 200);
}
