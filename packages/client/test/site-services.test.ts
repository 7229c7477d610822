import { join } from 'node:path';
import { hashPassword } from '@firehose/broker';
import type { EventType } from '@firehose/schema';
import { buildSiteServices } from '@firehose/schema/site';
import { startTestBroker, temporaryDirectory } from '@firehose/test-support';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createHistoryClient, type ReceivedEvent } from '../src/index.js';
import { onCleanup, open, waitFor } from './helpers.js';

/** A site's deploy tool, declared as data (what a catalogue file or `$firehose/services` gives). */
const site = buildSiteServices({
  'firehose-catalogue': 1,
  services: {
    deploy: {
      description: 'Deployments of acme',
      source: 'https://deploy.acme.example',
      events: {
        finished: {
          description: 'A deployment finished',
          topic: 'deploy/{app}/{env}/finished',
          params: { app: 'app.name', env: 'environment' },
          identity: ['app.name', 'environment', 'revision'],
          subject: '{app.name}/{revision}',
          keys: { app: 'app.name' },
          schema: {
            type: 'object',
            required: ['app', 'environment', 'revision', 'ok'],
            properties: {
              app: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
              environment: { type: 'string', enum: ['staging', 'production'] },
              revision: { type: 'string' },
              ok: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
});

interface Finished {
  app: { name: string };
  environment: 'staging' | 'production';
  revision: string;
  ok: boolean;
}
/** How the declarations `firehose schema codegen` writes type it. */
const finished = site[0]!.eventTypes[0]! as EventType<Finished, { app: string; env: string }>;
const data: Finished = { app: { name: 'web' }, environment: 'production', revision: 'r42', ok: true };

const dir = temporaryDirectory('client-site');

async function siteBroker() {
  const broker = await startTestBroker(
    {
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
      accounts: { deploy: { password: await hashPassword('pw'), write: ['deploy/#'] } },
      catalogue: { interval: 0 },
      sys: { interval: 0 },
      history: { enabled: true, path: join(dir, `${Date.now()}.sqlite`) },
    },
    { services: site },
  );
  onCleanup(() => broker.close());
  return { mqtt: broker.url('mqtt')!, http: broker.url('http')! };
}

describe('a site service through the client (the services option)', () => {
  it('publishes typed by the event type, receives it typed with params, and reads it back from history', async () => {
    const { mqtt, http } = await siteBroker();
    const subscriber = await open(mqtt, { services: site });
    const received: ReceivedEvent<Finished, { app: string; env: string }>[] = [];
    await subscriber.subscribe(finished({ env: 'production' }), (event) => {
      expectTypeOf(event.event.data.environment).toEqualTypeOf<'staging' | 'production'>();
      expectTypeOf(event.params.app).toEqualTypeOf<string>();
      received.push(event);
    });
    const publisher = await open(mqtt, { username: 'deploy', password: 'pw', services: site });
    const sent = await publisher.publish(finished, data);
    expect(sent).toMatchObject({
      source: 'https://deploy.acme.example',
      type: 'deploy.finished',
      subject: 'web/r42',
    });
    // Same data, same deterministic id (declared identity).
    expect((await publisher.publish(finished, data)).id).toBe(sent.id);
    await waitFor(() => received.length === 2, 5000, 'both deploy events');
    expect(received[0]!.topic).toBe('deploy/web/production/finished');
    expect(received[0]!.eventType?.type).toBe('deploy.finished');
    expect(received[0]!.params).toEqual({ app: 'web', env: 'production' });

    const history = createHistoryClient(http, { services: site });
    await waitFor(async () => (await history.search(finished, { limit: 10 })).events.length === 2);
    const page = await history.search(finished({ app: 'web' }), { limit: 10 });
    expectTypeOf(page.events[0]!.event.data.revision).toEqualTypeOf<string>();
    expect(page.events[0]!.params).toEqual({ app: 'web', env: 'production' });
    expect(page.events[0]!.eventType?.type).toBe('deploy.finished');
  });

  it('without the services option, the same events arrive undeclared; a publish of the type says to pass them', async () => {
    const { mqtt } = await siteBroker();
    const plain = await open(mqtt);
    const seen: ReceivedEvent[] = [];
    await plain.subscribe('deploy/#', (event) => void seen.push(event));
    const publisher = await open(mqtt, { username: 'deploy', password: 'pw', services: site });
    await publisher.publish(finished, data);
    await waitFor(() => seen.length === 1, 5000, 'the deploy event');
    expect(seen[0]!.eventType).toBeUndefined();

    const unaware = await open(mqtt, { username: 'deploy', password: 'pw' });
    await expect(unaware.publish(finished, data)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      path: 'services',
      message: expect.stringMatching(
        /deploy\.finished v1 is not among this client's services; pass its services to connect\(\)/,
      ),
    });
    await expect(unaware.publish('deploy/web/production/finished', data)).rejects.toMatchObject({
      code: 'UNKNOWN_EVENT_TYPE',
    });
  });

  it('refuses data that does not fit the type before sending it', async () => {
    const { mqtt } = await siteBroker();
    const subscriber = await open(mqtt, { services: site });
    const seen: ReceivedEvent[] = [];
    await subscriber.subscribe('deploy/#', (event) => void seen.push(event));
    const publisher = await open(mqtt, { username: 'deploy', password: 'pw', services: site });
    await expect(
      // @ts-expect-error: `environment` is not one of the declared values
      publisher.publish(finished, { ...data, environment: 'moon' }),
    ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD', path: '/environment' });
    await publisher.publish(finished, data);
    // Only the valid one was sent (it arrives; nothing before it did).
    await waitFor(() => seen.length === 1, 5000, 'the valid deploy event');
    expect(seen[0]!.event.data).toEqual(data);
  });

  it('refuses services that collide, or that are not a list, naming the option', async () => {
    const clash = buildSiteServices({
      'firehose-catalogue': 1,
      services: {
        deploy2: {
          description: 'x',
          source: 'https://x.example',
          events: { x: { description: 'x', topic: 'deploy2/{a}/x', schema: {} } },
        },
      },
    });
    await expect(
      open('mqtt://127.0.0.1:1', { services: [...site, ...site, ...clash] }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      path: 'services',
      message: expect.stringMatching(/^Option services: The service deploy is declared twice/),
    });
    await expect(open('mqtt://127.0.0.1:1', { services: site[0] as never })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      path: 'services',
      message: expect.stringMatching(/^Option services must be a list of service definitions/),
    });
  });
});
