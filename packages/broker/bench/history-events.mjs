// @ts-check
// The events `pnpm bench:history` publishes and generates, shared by the bench and its load processes.

export const PROJECTS = 200;
/** One event in RARE_EVERY is on the rare topic, spread over the whole range. */
export const RARE_EVERY = 10_000;
export const RARE_TOPIC = 'site/rare/event';

/**
 * The i-th event published over MQTT: undeclared `site/…` topics (no schema validation, so the
 * figures are the archive's and the broker's, not the validator's), ~330 bytes.
 * @param {number} i
 */
export function benchEvent(i) {
  const project = `openstack/p${i % PROJECTS}`;
  const rare = i % RARE_EVERY === RARE_EVERY / 2;
  return {
    topic: rare ? RARE_TOPIC : `site/${project}/comment`,
    payload: JSON.stringify({
      specversion: '1.0',
      id: `bench-${i}`,
      source: 'https://bench.invalid',
      type: rare ? 'site.rare' : 'site.comment',
      time: new Date().toISOString(),
      data: { project, change: 900_000 + (i % 50_000), author: `user${i % 997}`, text: 'x'.repeat(120) },
    }),
  };
}

/**
 * The i-th event of the generated archive: three in four a gerrit comment (a declared type: its
 * keys project, change, patchset and user are indexed), the rest `site/…`, one in RARE_EVERY on the
 * rare topic; ~350 bytes each.
 * @param {number} i
 * @param {string} time ISO time of the event
 */
export function generatedEvent(i, time) {
  const project = `openstack/p${i % PROJECTS}`;
  if (i % RARE_EVERY === RARE_EVERY / 2) {
    return {
      topic: RARE_TOPIC,
      payload: JSON.stringify({
        specversion: '1.0',
        id: `gen-${i}`,
        source: 'https://bench.invalid',
        type: 'site.rare',
        time,
        data: { project, text: 'rare' },
      }),
    };
  }
  if (i % 4 === 3) {
    return {
      topic: `site/${project}/comment`,
      payload: JSON.stringify({
        specversion: '1.0',
        id: `gen-${i}`,
        source: 'https://bench.invalid',
        type: 'site.comment',
        time,
        data: { project, author: `user${i % 997}`, text: 'x'.repeat(160) },
      }),
    };
  }
  const change = 900_000 + (i % 50_000);
  return {
    topic: `gerrit/${project}/comment-added`,
    payload: JSON.stringify({
      specversion: '1.0',
      id: `gen-${i}`,
      source: 'https://review.opendev.org',
      type: 'gerrit.comment-added',
      time,
      data: {
        type: 'comment-added',
        change: { project, number: change, branch: 'master', subject: 'Fix race in scheduler' },
        patchSet: { number: 1 + (i % 7) },
        author: { username: `user${i % 997}` },
        comment: `Patch Set ${1 + (i % 7)}: Code-Review+1\n\nLooks good.`,
      },
    }),
  };
}
