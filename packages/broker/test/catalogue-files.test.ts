import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCatalogue,
  createServiceEvent,
  exportAsyncApi,
  services as builtinServices,
  type ServiceDefinition,
} from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { CatalogueError } from '@firehose/schema/site';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../src/index.js';
import { client, collect, gerritCommentAdded, startBroker, waitFor } from './helpers.js';

// A site's own CI service, declared in a file: the broker runs it beside (or instead of) the
// built-in OpenStack services, and a reload swaps it under traffic (docs/architecture.md#site-catalogues).

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firehose-broker-catalogue-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BUILD = `      build:
        description: A CI build finished
        topic: ci/{job}/build
        params: { job: job }
        identity: [job, number]
        schema:
          type: object
          required: [job, number, result]
          properties:
            job: { type: string }
            number: { type: integer }
            result: { enum: [SUCCESS, FAILURE] }
`;

const DEPLOY = `      deploy:
        description: A deployment finished
        topic: ci/{app}/deploy
        params: { app: app }
        schema:
          type: object
          required: [app, revision]
          properties: { app: { type: string }, revision: { type: string } }
`;

const catalogue = (events: string): string =>
  `firehose-catalogue: 1\nservices:\n  ci:\n    description: The site's CI\n    source: https://ci.example.org\n    events:\n${events}`;

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function eventTypesOf(path: string): Promise<ServiceDefinition> {
  const [service] = await loadCatalogueFiles([path]);
  return service!;
}

/** A well-formed ci.build envelope carrying `data`, valid or not (the broker's check decides). */
function build(service: ServiceDefinition, data: Record<string, unknown>): string {
  const eventType = service.eventTypes.find((t) => t.event === 'build')!;
  const valid = { job: data.job, number: data.number, result: 'SUCCESS' };
  return JSON.stringify({
    ...createServiceEvent(eventType, valid as never, { source: service.source }),
    data,
  });
}

describe('catalogue.files', () => {
  it('runs the services of catalogue files beside the built-in ones, validating their events', async () => {
    const path = await file('ci.yaml', catalogue(BUILD));
    const ci = await eventTypesOf(path);
    const broker = await startBroker({
      catalogue: { files: [path] },
      anonymous: { write: ['ci/#', 'gerrit/#'] },
    });
    const subscriber = await client(broker.url('mqtt')!);
    const seen = collect(subscriber);
    await subscriber.subscribeAsync(['ci/#', 'gerrit/#', '$firehose/invalid/#'], { qos: 1 });
    const publisher = await client(broker.url('mqtt')!);
    await publisher.publishAsync(
      'ci/nightly/build',
      build(ci, { job: 'nightly', number: 7, result: 'SUCCESS' }),
      {
        qos: 1,
      },
    );
    await publisher.publishAsync(
      'ci/nightly/build',
      build(ci, { job: 'nightly', number: 8, result: 'MAYBE' }),
      {
        qos: 1,
      },
    );
    await publisher.publishAsync(
      'gerrit/openstack/nova/comment-added',
      JSON.stringify(gerritCommentAdded()),
      { qos: 1 },
    );
    await waitFor(() => seen.some((m) => m.topic === '$firehose/invalid/ci') && seen.length >= 3);
    expect(seen.filter((m) => m.topic === 'ci/nightly/build')).toHaveLength(1);
    expect(seen.some((m) => m.topic.startsWith('gerrit/'))).toBe(true);
    const record = JSON.parse(seen.find((m) => m.topic === '$firehose/invalid/ci')!.payload.toString());
    expect(record).toMatchObject({ eventType: 'ci.build', status: 'invalid' });
  });

  it('runs on the AsyncAPI document schema export writes (builtin off): the same publishes pass and are refused', async () => {
    const ci = await eventTypesOf(await file('for-export.yaml', catalogue(BUILD)));
    const exported = await file(
      'asyncapi.json',
      JSON.stringify(exportAsyncApi({ catalogue: createCatalogue([...builtinServices, ci]) })),
    );
    const broker = await startBroker({
      catalogue: { files: [exported], builtin: false },
      anonymous: { write: ['ci/#', 'gerrit/#'] },
    });
    const subscriber = await client(broker.url('mqtt')!);
    const seen = collect(subscriber);
    await subscriber.subscribeAsync(['ci/#', 'gerrit/#', '$firehose/invalid/#'], { qos: 1 });
    const publisher = await client(broker.url('mqtt')!);
    const publish = (topic: string, payload: string) => publisher.publishAsync(topic, payload, { qos: 1 });
    await publish('ci/nightly/build', build(ci, { job: 'nightly', number: 7, result: 'SUCCESS' }));
    await publish('ci/nightly/build', build(ci, { job: 'nightly', number: 8, result: 'MAYBE' }));
    await publish('gerrit/openstack/nova/comment-added', JSON.stringify(gerritCommentAdded()));
    const bad = gerritCommentAdded(912346) as unknown as { data: { change: { number: unknown } } };
    bad.data.change.number = 'not a number';
    await publish('gerrit/openstack/nova/comment-added', JSON.stringify(bad));
    await waitFor(
      () =>
        seen.some((m) => m.topic === '$firehose/invalid/ci') &&
        seen.some((m) => m.topic === '$firehose/invalid/gerrit') &&
        seen.filter((m) => !m.topic.startsWith('$')).length >= 2,
    );
    expect(seen.filter((m) => m.topic === 'ci/nightly/build')).toHaveLength(1);
    expect(seen.filter((m) => m.topic.startsWith('gerrit/'))).toHaveLength(1);
    const records = seen
      .filter((m) => m.topic.startsWith('$firehose/invalid/'))
      .map((m) => (JSON.parse(m.payload.toString()) as { eventType: string }).eventType);
    expect(records.sort()).toEqual(['ci.build', 'gerrit.comment-added']);
  });

  it('with catalogue.builtin false runs only the files’ services', async () => {
    const path = await file('only.yaml', catalogue(BUILD));
    const broker = await startBroker({ catalogue: { files: [path], builtin: false, interval: 0 } });
    const watcher = await client(broker.url('mqtt')!);
    const seen = collect(watcher);
    await watcher.subscribeAsync('$firehose/catalogue/+/declared/#');
    broker.publishCatalogue(true);
    await waitFor(() => seen.some((m) => m.topic.endsWith('/declared/ci.build')));
    expect(seen.map((m) => m.topic.split('/').at(-1))).toEqual(['ci.build']);
    expect(broker.catalogue.counts().map((c) => c.type)).toEqual(['ci.build', 'undeclared']);
  });

  it('refuses to start on a bad catalogue file, naming file, line and field', async () => {
    const path = await file(
      'bad.yaml',
      catalogue(BUILD.replace('topic: ci/{job}/build', 'topic: ci/{job/build')),
    );
    const error = (await createBroker({ catalogue: { files: [path] } }).catch(
      (e: unknown) => e,
    )) as CatalogueError;
    expect(error).toBeInstanceOf(CatalogueError);
    expect(error.message).toMatch(/bad\.yaml:9: services\.ci\.events\.build\.topic: /);
    // A file that overlaps a built-in topic is refused the same way.
    const clash = await file(
      'clash.yaml',
      'firehose-catalogue: 1\nservices:\n  gerrit:\n    description: x\n    source: https://x.example\n    events:\n      e: { description: x, topic: "gerrit/{p}", schema: {} }\n',
    );
    await expect(createBroker({ catalogue: { files: [clash] } })).rejects.toThrow(
      /clash\.yaml:3: services\.gerrit: the service gerrit is already declared/,
    );
    // Without the built-ins, the same file is a site of its own.
    const broker = await createBroker({ catalogue: { files: [clash], builtin: false } });
    await broker.close();
  });
});

describe('reloadCatalogue', () => {
  it('swaps the services, republishes the catalogue records, and refuses a bad or breaking catalogue whole', async () => {
    const path = await file('reload.yaml', catalogue(BUILD));
    const broker = await startBroker({
      catalogue: { files: [path], interval: 0 },
      anonymous: { write: ['ci/#'] },
      listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
    });
    const subscriber = await client(broker.url('mqtt')!);
    const seen = collect(subscriber);
    await subscriber.subscribeAsync(['ci/#', '$firehose/invalid/#', '$firehose/catalogue/+/declared/#'], {
      qos: 1,
    });
    const publisher = await client(broker.url('mqtt')!);
    const deployType = (await eventTypesOf(await file('deploy.yaml', catalogue(DEPLOY)))).eventTypes[0]!;
    // A well-formed ci.deploy envelope, whatever the revision (so the broker's check is what decides).
    const deploy = (revision: unknown): Promise<unknown> => {
      const event = createServiceEvent(
        deployType,
        { app: 'shop', revision: 'r' },
        {
          source: 'https://ci.example.org',
        },
      );
      return publisher.publishAsync(
        'ci/shop/deploy',
        JSON.stringify({ ...event, data: { app: 'shop', revision } }),
        {
          qos: 1,
        },
      );
    };
    // Not declared yet: delivered as it is (validation.undeclared: allow).
    await deploy(1);
    await waitFor(() => seen.some((m) => m.topic === 'ci/shop/deploy'));

    await writeFile(path, catalogue(BUILD + DEPLOY));
    const reload = await broker.reloadCatalogue();
    expect(reload).toMatchObject({ added: ['ci.deploy'], removed: [] });
    expect(reload.services).toContain('ci');
    expect(reload.services).toContain('gerrit');
    await waitFor(() => seen.some((m) => m.topic.endsWith('/declared/ci.deploy')));
    // Declared now: a revision that is not a string is refused.
    await deploy(2);
    await waitFor(() => seen.some((m) => m.topic === '$firehose/invalid/ci'));
    expect(seen.filter((m) => m.topic === 'ci/shop/deploy')).toHaveLength(1);

    // A syntax error, then a breaking change within v1: refused whole, the running catalogue stays.
    await writeFile(path, `${catalogue(BUILD + DEPLOY)}  broken: [\n`);
    await expect(broker.reloadCatalogue()).rejects.toThrow(/reload\.yaml:\d+: \(syntax\)/);
    await writeFile(
      path,
      catalogue(BUILD + DEPLOY.replace('required: [app, revision]', 'required: [app, revision, by]')),
    );
    const breaking = (await broker.reloadCatalogue().catch((e: unknown) => e)) as CatalogueError;
    expect(breaking).toBeInstanceOf(CatalogueError);
    expect(breaking.problems).toEqual([
      expect.objectContaining({ field: 'services.ci.events.deploy.schema', line: 23 }),
    ]);
    expect(breaking.message).toMatch(/breaks consumers of ci\.deploy v1.*declare the change as version 2/);
    await deploy('abc123');
    await waitFor(() => seen.filter((m) => m.topic === 'ci/shop/deploy').length === 2);

    // A type taken out: its retained record is cleared, its topic is undeclared again.
    await writeFile(path, catalogue(BUILD));
    expect(await broker.reloadCatalogue()).toMatchObject({ added: [], removed: ['ci.deploy'] });
    const late = await client(broker.url('mqtt')!);
    const retained = collect(late);
    await late.subscribeAsync('$firehose/catalogue/+/declared/#');
    await waitFor(() => retained.some((m) => m.topic.endsWith('/declared/ci.build')));
    expect(retained.some((m) => m.topic.endsWith('/declared/ci.deploy'))).toBe(false);
    await deploy({ not: 'checked' });
    await waitFor(() => seen.filter((m) => m.topic === 'ci/shop/deploy').length === 3);
  });
});
