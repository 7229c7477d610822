// Payloads the scenarios publish: a 200-byte opaque message on undeclared topics (the floor) and
// real, valid firehose envelopes built from @firehose/schema's fixtures (what users send). Each
// carries a fixed-width stamp slot (`TS:` + 16 digits) inside a string, so stamping keeps it valid.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { checkEvent, createServiceEvent, gerrit, zuul } from '@firehose/schema';
import { STAMP, STAMP_WIDTH } from './wire.mjs';

const require = createRequire(import.meta.url);
const fixture = (path) =>
  JSON.parse(readFileSync(require.resolve(`@firehose/schema/fixtures/${path}`), 'utf8'));
const SLOT = `${STAMP}${'0'.repeat(STAMP_WIDTH)}`;

/** `{ topic, payload (base64), deliveries }` as the load workers take them. */
const template = (topic, payload, deliveries = 1) => ({
  topic,
  payload: Buffer.from(payload).toString('base64'),
  deliveries,
  bytes: Buffer.byteLength(payload),
});

/** 200 bytes on `topic`, undeclared (no schema, no validation). */
export function smallMessage(topic) {
  return template(topic, SLOT.padEnd(200, 'x'));
}

function valid(eventType, topic, event) {
  const json = JSON.stringify(event);
  const result = checkEvent(topic, JSON.parse(json));
  if (result.status === 'invalid')
    throw new Error(`bench envelope for ${topic} is invalid: ${result.error.message}`);
  return json;
}

function withProject(data, project) {
  const [ns, repo] = project.split('/');
  data.change.project = project;
  data.change.url = `https://review.opendev.org/c/${ns}/${repo}/+/${data.change.number}`;
  return data;
}

/** A gerrit comment-added envelope of about `bytes` bytes for `project` (default 2 KB, openstack/nova). */
export function gerritComment(project = 'openstack/nova', bytes = 2048, deliveries = 1) {
  const data = withProject(structuredClone(fixture('gerrit/comment-added.json').data), project);
  data.comment = `Patch Set 3: Code-Review+2\n\n${SLOT}\n\n`;
  const size = () => JSON.stringify(createServiceEvent(gerrit.commentAdded, data, {})).length;
  const pad = Math.max(0, bytes - size());
  data.comment += 'Looks good to me. '.repeat(Math.ceil(pad / 18)).slice(0, pad);
  const topic = gerrit.commentAdded.topicFor(data);
  return template(
    topic,
    valid(gerrit.commentAdded, topic, createServiceEvent(gerrit.commentAdded, data, {})),
    deliveries,
  );
}

function gerritPatchset(project, deliveries) {
  const data = withProject(structuredClone(fixture('gerrit/patchset-created.json').data), project);
  data.change.subject = `${SLOT} ${data.change.subject}`;
  const topic = gerrit.patchsetCreated.topicFor(data);
  return template(
    topic,
    valid(gerrit.patchsetCreated, topic, createServiceEvent(gerrit.patchsetCreated, data, {})),
    deliveries,
  );
}

function zuulReport(project, deliveries) {
  const { params, data: base } = fixture('zuul/report.json');
  const data = structuredClone(base);
  data.project = project;
  data.message = `${SLOT}\n${data.message}`;
  const topic = zuul.report.topicFor(data, { ...params, project });
  return template(topic, valid(zuul.report, topic, createServiceEvent(zuul.report, data, {})), deliveries);
}

/** `count` repositories, most in openstack/, some in other namespaces, as opendev hosts them. */
export function repositories(count) {
  const namespaces = [
    'openstack',
    'openstack',
    'openstack',
    'openstack',
    'x',
    'starlingx',
    'zuul',
    'airship',
  ];
  return Array.from(
    { length: count },
    (_, i) => `${namespaces[i % namespaces.length]}/repo-${String(i).padStart(4, '0')}`,
  );
}

/**
 * The OpenStack mix over `repos`: per repository a review comment and a new patch set (each reaching
 * its repository's subscriber and the `#` subscriber) and a zuul report (the `#` subscriber only),
 * interleaved so consecutive messages hit different repositories.
 */
export function openstackMix(repos) {
  const out = [];
  for (const kind of ['comment', 'patchset', 'zuul']) {
    for (const project of repos) {
      if (kind === 'comment') out.push(gerritComment(project, 1500, 2));
      else if (kind === 'patchset') out.push(gerritPatchset(project, 2));
      else out.push(zuulReport(project, 1));
    }
  }
  return out;
}
