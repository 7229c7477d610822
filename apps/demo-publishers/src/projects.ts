/** A job Zuul runs for a project. Non-voting jobs report but do not decide the Verified vote. */
export interface JobSpec {
  readonly name: string;
  readonly voting: boolean;
  /** Typical duration in simulated seconds (demo time is compressed; see simulation.ts). */
  readonly seconds: number;
  /** Chance that this job fails on a given run. */
  readonly failure: number;
  /** Test jobs upload a subunit stream that the gearman subunit workers process. */
  readonly subunit: boolean;
}

/** A code project: its Gerrit name (of any depth), Launchpad name, Zuul tenant and jobs. */
export interface ProjectSpec {
  readonly name: string;
  /** Launchpad project, for bugs; undefined when the project tracks bugs elsewhere. */
  readonly launchpad: string | undefined;
  readonly tenant: string;
  /** Relative weight: how much of the review traffic this project gets. */
  readonly weight: number;
  readonly check: readonly JobSpec[];
  readonly gate: readonly JobSpec[];
  /** Jobs of the promote pipeline, run after merge (docs publication); empty: none. */
  readonly promote: readonly JobSpec[];
}

function job(
  name: string,
  seconds: number,
  options: Partial<Omit<JobSpec, 'name' | 'seconds'>> = {},
): JobSpec {
  return {
    name,
    seconds,
    voting: options.voting ?? true,
    failure: options.failure ?? 0.04,
    subunit: options.subunit ?? false,
  };
}

const pep8 = job('openstack-tox-pep8', 45, { failure: 0.06 });
const py310 = job('openstack-tox-py310', 110, { subunit: true });
const py312 = job('openstack-tox-py312', 120, { subunit: true });
const docs = job('openstack-tox-docs', 70, { failure: 0.02 });
const cover = job('openstack-tox-cover', 140, { voting: false, subunit: true, failure: 0.1 });
const releaseNotes = job('build-openstack-releasenotes', 50, { failure: 0.01 });
const promoteDocs = job('promote-openstack-tox-docs', 20, { failure: 0.01 });
const promoteNotes = job('promote-openstack-releasenotes', 15, { failure: 0.01 });
const tempest = (name: string, seconds: number, failure = 0.08) =>
  job(name, seconds, { subunit: true, failure });
const unit = [pep8, py310, py312, docs];

/** The projects the demo simulates, from one level (`All-Projects` lives in gerrit-admin.ts) to three. */
export const projects: readonly ProjectSpec[] = [
  {
    name: 'openstack/nova',
    launchpad: 'nova',
    tenant: 'openstack',
    weight: 6,
    check: [
      ...unit,
      cover,
      tempest('tempest-integrated-compute', 240),
      tempest('nova-live-migration', 260, 0.12),
      tempest('nova-ceph-multistore', 250),
      job('nova-next', 230, { voting: false, subunit: true, failure: 0.2 }),
    ],
    gate: [...unit, tempest('tempest-integrated-compute', 240), tempest('nova-live-migration', 260, 0.06)],
    promote: [promoteDocs, promoteNotes],
  },
  {
    name: 'openstack/neutron',
    launchpad: 'neutron',
    tenant: 'openstack',
    weight: 5,
    check: [
      ...unit,
      tempest('neutron-ovn-tempest-ipv6-only', 230),
      tempest('neutron-tempest-plugin-ovn', 220),
      job('neutron-functional', 160, { subunit: true, failure: 0.07 }),
      job('neutron-fullstack', 200, { voting: false, subunit: true, failure: 0.25 }),
    ],
    gate: [
      ...unit,
      tempest('neutron-ovn-tempest-ipv6-only', 230),
      job('neutron-functional', 160, { subunit: true, failure: 0.05 }),
    ],
    promote: [promoteDocs],
  },
  {
    name: 'openstack/oslo.messaging',
    launchpad: 'oslo.messaging',
    tenant: 'openstack',
    weight: 2,
    check: [
      pep8,
      py312,
      docs,
      releaseNotes,
      job('oslo.messaging-tox-py312-func-rabbit', 90, { subunit: true }),
      job('oslo.messaging-src-dsvm-full-kafka', 200, { voting: false, subunit: true, failure: 0.3 }),
    ],
    gate: [
      pep8,
      py312,
      docs,
      releaseNotes,
      job('oslo.messaging-tox-py312-func-rabbit', 90, { subunit: true }),
    ],
    promote: [promoteNotes],
  },
  {
    name: 'openstack/keystone',
    launchpad: 'keystone',
    tenant: 'openstack',
    weight: 3,
    check: [
      ...unit,
      releaseNotes,
      tempest('keystone-dsvm-py3-functional', 180),
      tempest('tempest-integrated-identity', 210),
    ],
    gate: [...unit, releaseNotes, tempest('tempest-integrated-identity', 210)],
    promote: [promoteDocs, promoteNotes],
  },
  {
    name: 'openstack/cinder',
    launchpad: 'cinder',
    tenant: 'openstack',
    weight: 3,
    check: [
      ...unit,
      tempest('cinder-tempest-plugin-lvm-lio-barbican', 220),
      tempest('cinder-plugin-ceph-tempest', 240, 0.1),
    ],
    gate: [...unit, tempest('cinder-tempest-plugin-lvm-lio-barbican', 220)],
    promote: [promoteDocs],
  },
  {
    name: 'openstack/project-config',
    launchpad: undefined,
    tenant: 'openstack',
    weight: 2,
    check: [
      job('project-config-check-main-yaml', 25, { failure: 0.05 }),
      job('infra-project-manage-projects', 40),
      job('opendev-tox-docs', 60),
    ],
    gate: [
      job('project-config-check-main-yaml', 25, { failure: 0.02 }),
      job('infra-project-manage-projects', 40, { failure: 0.02 }),
    ],
    promote: [],
  },
  {
    name: 'zuul/zuul',
    launchpad: undefined,
    tenant: 'zuul',
    weight: 2,
    check: [
      job('tox-linters', 50),
      job('tox-py312', 150, { subunit: true }),
      job('zuul-nox-remote', 260, { subunit: true, failure: 0.08 }),
      job('zuul-build-dashboard', 90),
    ],
    gate: [
      job('tox-linters', 50),
      job('tox-py312', 150, { subunit: true }),
      job('zuul-nox-remote', 260, { subunit: true, failure: 0.04 }),
    ],
    promote: [job('zuul-promote-image', 30)],
  },
  {
    name: 'x/ci/tools',
    launchpad: undefined,
    tenant: 'openstack',
    weight: 1,
    check: [job('tox-pep8', 40), job('tox-py312', 80, { subunit: true })],
    gate: [job('tox-pep8', 40), job('tox-py312', 80, { subunit: true })],
    promote: [],
  },
];

/** Branches a change targets, weighted: most go to master; stable branches have a `/`. */
export const branches: readonly (readonly [string, number])[] = [
  ['master', 85],
  ['stable/2025.1', 8],
  ['stable/2024.2', 5],
  ['stable/2024.1', 2],
];
