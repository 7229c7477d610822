// Plausible gerrit, zuul and launchpad traffic for the dashboard's browser test and load bench:
// each simulated change goes patchset → zuul check → votes → (gate →) merge, with a bug now and then.
// Deterministic for a seed. The demo's own publishers (apps/demo-publishers) are richer; this keeps
// the dashboard's tests independent of them.

const projects = [
  'openstack/nova',
  'openstack/neutron',
  'openstack/keystone',
  'All-Projects',
  'openstack/oslo.messaging',
];
const people = [
  { name: 'Ann Reviewer', username: 'ann', email: 'ann@example.org' },
  { name: 'Bob Developer', username: 'bob', email: 'bob@example.org' },
  { name: 'Chen Wei', username: 'cwei', email: 'cwei@example.org' },
  { name: 'Dara Okafor', username: 'dokafor', email: 'dara@example.org' },
];
const zuulUser = { name: 'Zuul', username: 'zuul', email: 'zuul@example.org' };
const subjects = [
  'Fix race in scheduler host state cache',
  'Add retry to port binding on transient errors',
  'Drop Python 3.9 support',
  'Use oslo.utils timeutils everywhere',
  'Document token expiry configuration',
  'Refactor quota engine for unified limits',
];
const jobs = [
  { job_name: 'openstack-tox-pep8', voting: true },
  { job_name: 'openstack-tox-py312', voting: true },
  { job_name: 'tempest-full-py3', voting: true },
  { job_name: 'grenade-skip-level', voting: false },
];

/** A small deterministic PRNG (mulberry32). */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (next, length) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join('');

/**
 * Endless sample messages: `{ account, topic, data }`, publishable with `client.publish(topic, data)`
 * by the account named (`gerrit`, `zuul`, `launchpad`).
 * @param {number} [seed] @default 1
 * @returns {Generator<{ account: string, topic: string, data: object }>}
 */
export function* sampleTraffic(seed = 1) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  let changeNumber = 912_300;
  let bugNumber = 2_061_200;
  let clock = 1_764_070_000;
  for (;;) {
    changeNumber += 1;
    clock += 7;
    const project = pick(projects);
    const owner = pick(people);
    const subject = pick(subjects);
    const patchSet = 1 + Math.floor(next() * 3);
    const revision = hex(next, 40);
    const change = {
      project,
      branch: 'master',
      id: `I${hex(next, 40)}`,
      number: changeNumber,
      subject,
      owner,
      url: `https://review.example.org/c/${project}/+/${changeNumber}`,
      status: 'NEW',
    };
    const patch = {
      number: patchSet,
      revision,
      ref: `refs/changes/${String(changeNumber).slice(-2)}/${changeNumber}/${patchSet}`,
      uploader: owner,
      author: owner,
    };
    const gerrit = (event, extra) => ({
      account: 'gerrit',
      topic: `gerrit/${project}/${event}`,
      data: { type: event, change, patchSet: patch, eventCreatedOn: (clock += 1), ...extra },
    });
    const zuul = (pipeline, action, builds) => ({
      account: 'zuul',
      topic: `zuul/openstack/${pipeline}/${project}/master/${changeNumber}`,
      data: {
        uuid: hex(next, 32),
        action,
        tenant: 'openstack',
        pipeline,
        project,
        branch: 'master',
        change: String(changeNumber),
        patchset: String(patchSet),
        change_url: `https://review.example.org/${changeNumber}`,
        ref: patch.ref,
        ...(builds ? { buildset: { uuid: hex(next, 32), result: action.toUpperCase(), builds } } : {}),
      },
    });

    yield gerrit('patchset-created', { uploader: owner });
    yield zuul('check', 'start');
    const failed = next() < 0.3;
    const builds = jobs.map((job, index) => ({
      ...job,
      uuid: hex(next, 32),
      result: failed && index === 2 ? 'FAILURE' : !job.voting && next() < 0.5 ? 'FAILURE' : 'SUCCESS',
      log_url: `https://logs.example.org/${String(changeNumber).slice(-2)}/${changeNumber}/${patchSet}/check/${job.job_name}/${hex(next, 7)}/`,
    }));
    yield zuul('check', failed ? 'failure' : 'success', builds);
    yield gerrit('comment-added', {
      author: zuulUser,
      approvals: [{ type: 'Verified', description: 'Verified', value: failed ? '-1' : '1' }],
      comment: `Build ${failed ? 'failed' : 'succeeded'} (check pipeline).`,
    });
    if (failed) continue;
    const reviewer = pick(people.filter((person) => person !== owner));
    yield gerrit('comment-added', {
      author: reviewer,
      approvals: [
        { type: 'Code-Review', description: 'Code-Review', value: '2', oldValue: '0' },
        { type: 'Workflow', description: 'Workflow', value: '1', oldValue: '0' },
      ],
      comment: 'Looks good, thanks.',
    });
    yield zuul(
      'gate',
      'success',
      builds.filter((build) => build.voting),
    );
    yield gerrit('change-merged', { submitter: reviewer, newRev: revision });
    if (next() < 0.5) {
      bugNumber += 1;
      const bugProject = project.split('/').pop() ?? 'nova';
      yield {
        account: 'launchpad',
        topic: `launchpad/${bugProject.replace(/[^a-z0-9.-]/gi, '-')}/bug/${bugNumber}`,
        data: {
          project: bugProject,
          'bug-number': bugNumber,
          'event-type': 'bug-updated',
          title: subject,
          'bug-reporter': 'carol-operator',
          'bug-modifier': owner.username,
          commenters: ['carol-operator', owner.username],
          status: 'Fix Committed',
          importance: pick(['High', 'Medium', 'Low']),
          assignee: owner.username,
          tags: ['sample'],
        },
      };
    }
  }
}

/** Accounts the sample traffic publishes with, and the topics each may write. */
export const sampleAccounts = {
  gerrit: ['gerrit/#'],
  zuul: ['zuul/#'],
  launchpad: ['launchpad/#'],
  // No sample traffic of their own; tests publish single events with them.
  ansible: ['ansible/#'],
  gearman: ['gearman-logstash/#', 'gearman-subunit/#'],
};
