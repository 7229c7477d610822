import type { Random } from './random.js';

// Commit subjects in the style of OpenStack changes. Combined at random, so a long demo rarely
// shows the same one twice.
const verbs = [
  'Fix',
  'Add',
  'Remove',
  'Refactor',
  'Deprecate',
  'Handle',
  'Use',
  'Drop',
  'Document',
  'Make',
] as const;

const topics = [
  'race in scheduler when rebuilding instances',
  'support for volume multiattach in the API',
  'unused RPC version compatibility shims',
  'quota check for server groups',
  'timeout in the live migration monitor',
  'oslo.utils timeutils instead of datetime.utcnow',
  'py38 from the supported runtimes',
  'the deprecated config option [DEFAULT]/use_ipv6',
  'a stale port binding after failed resize',
  'retry on database deadlock in the allocation path',
  'policy defaults for the new admin role',
  'the upgrade check for placement aggregates',
  'IPv6 metadata service addresses',
  'notification payload version bump',
  'the rabbit heartbeat thread on eventlet',
  'unit tests that leak mock patches',
  'tempest exclude list for flaky tests',
  'TLS verification for image downloads',
  'microversion 2.100 for server tags',
  'keystone token caching in the middleware',
] as const;

const routine = [
  'Imported Translations from Zanata',
  'Update master for stable/2025.1',
  'Bump hacking to 6.1.0',
  'reno: Update master for unmaintained/2023.1',
  'Update TOX_CONSTRAINTS_FILE for stable/2025.1',
  'Add Python 3.13 to the supported runtimes',
] as const;

/** A commit subject; routine (bot-style) ones when `routineChange` is true. */
export function commitSubject(rng: Random, routineChange: boolean): string {
  if (routineChange) return rng.pick(routine);
  const prefix = rng.chance(0.1) ? rng.pick(['[docs] ', 'api-ref: ', 'tests: ', 'trivial: ']) : '';
  return `${prefix}${rng.pick(verbs)} ${rng.pick(topics)}`;
}

/** A review comment body for a human vote. */
export function reviewComment(rng: Random, value: number): string {
  if (value >= 2) return rng.pick(['LGTM, thanks for the tests.', 'Looks good.', 'Nice cleanup.', '']);
  if (value === 1)
    return rng.pick([
      'Makes sense to me.',
      'One nit inline, not blocking.',
      'Code looks fine; a release note would help.',
    ]);
  if (value === 0) return rng.pick(['recheck', 'Could you add a functional test?', 'Is this backportable?']);
  return rng.pick([
    'This breaks rolling upgrades, see inline.',
    'Please split this into two changes.',
    'Needs a release note.',
  ]);
}
