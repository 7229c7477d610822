import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '@firehose/broker';
import { render, type ServiceDefinition } from '@firehose/schema';
import { temporaryDirectory } from '@firehose/test-support';
import { describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../src/index.js';
import { open, startBroker, waitFor } from './helpers.js';

// learnServices(): a client that was built knowing only the built-in services learns a site's own
// from the broker's retained $firehose/services record, and follows a catalogue reload.

const dir = temporaryDirectory('client-learn');

const FINISHED = `      finished:
        description: A deployment finished
        topic: deploy/{app}/{env}/finished
        params: { app: app, env: environment }
        identity: [app, environment, revision]
        keys: { app: app }
        render:
          summary: '{data.app} {data.revision|short} on {data.environment}'
          sentence: 'Deployed {data.app} to {data.environment}'
          keys: { app: '{data.app}' }
        schema:
          type: object
          required: [app, environment, revision]
          properties:
            app: { type: string }
            environment: { enum: [staging, production] }
            revision: { type: string }
`;
const STARTED = `      started:
        description: A deployment started
        topic: deploy/{app}/started
        params: { app: app }
        schema: { type: object, required: [app], properties: { app: { type: string } } }
`;
const catalogue = (events: string): string =>
  `firehose-catalogue: 1\nservices:\n  deploy:\n    description: Deployments of acme\n    source: https://deploy.acme.example\n    events:\n${events}`;

async function siteBroker(file: string) {
  const password = await hashPassword('pw');
  return startBroker({
    accounts: {
      deploy: { password, write: ['deploy/#'], read: ['$firehose/#'] },
    },
    // Anonymous readers may read the site's events, not the broker's $firehose records.
    anonymous: { deny: ['$firehose/#'] },
    catalogue: { files: [file], interval: 0 },
  });
}

const data = { app: 'web', environment: 'production', revision: 'abcdef123' };

describe('learnServices', () => {
  it("decodes, validates and renders a site service's events it was never built with", async () => {
    const file = join(dir, 'first.yaml');
    writeFileSync(file, catalogue(FINISHED));
    const broker = await siteBroker(file);
    const url = broker.url('mqtt')!;
    const client = await open(url, { username: 'deploy', password: 'pw' });
    // Before learning: the site's topic is undeclared here.
    expect(client.catalogue.getService('deploy')).toBeUndefined();
    const learned = await client.learnServices();
    expect(learned.published).toBe(true);
    expect(learned.services.map((service: ServiceDefinition) => service.name)).toEqual(['deploy']);
    expect(client.catalogue.getEventType('deploy.finished')?.template.pattern).toBe(
      'deploy/{app}/{env}/finished',
    );
    // Asking again waits for nothing: the same answer.
    await expect(client.learnServices({ timeout: 0 })).resolves.toEqual(learned);

    const received: ReceivedEvent[] = [];
    const invalid: string[] = [];
    client.on('invalid', (event) => invalid.push(event.error.message));
    await client.subscribe('deploy/#', (event) => {
      received.push(event);
    });
    const publisher = await open(url, { username: 'deploy', password: 'pw' });
    await publisher.learnServices();
    // publish() builds the envelope from the learned declaration (type, source, dataschema).
    await publisher.publish('deploy/web/production/finished', data);
    await waitFor(() => received.length === 1, 5000, 'the deploy event');
    const [event] = received;
    expect(event!.eventType?.type).toBe('deploy.finished');
    expect(event!.params).toEqual({ app: 'web', env: 'production' });
    expect(event!.event.source).toBe('https://deploy.acme.example');
    expect(render(event!.event, { catalogue: client.catalogue })).toMatchObject({
      summary: 'web abcdef1 on production',
      keys: { app: 'web' },
    });
    // Validated against the learned schema: an envelope the broker let through only as raw bytes
    // would be flagged; here the publisher's own check refuses it first.
    await expect(
      publisher.publish('deploy/web/production/finished', { ...data, environment: 'moon' }),
    ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(invalid).toEqual([]);
  });

  it('follows a catalogue reload: the republished record adds the new event type', async () => {
    const file = join(dir, 'reloaded.yaml');
    writeFileSync(file, catalogue(FINISHED));
    const broker = await siteBroker(file);
    const client = await open(broker.url('mqtt')!, { username: 'deploy', password: 'pw' });
    await client.learnServices();
    expect(client.catalogue.getEventType('deploy.started')).toBeUndefined();
    const updates: string[][] = [];
    client.on('services', (services) =>
      updates.push(services.flatMap((service) => service.eventTypes.map((type) => type.type))),
    );
    writeFileSync(file, catalogue(FINISHED + STARTED));
    await broker.reloadCatalogue();
    await waitFor(() => updates.length === 1, 5000, 'the services event after the reload');
    expect(updates[0]).toEqual(['deploy.finished', 'deploy.started']);
    expect(client.catalogue.lookup('deploy/web/started')?.eventType.type).toBe('deploy.started');
  });

  it('answers published: false at once for an account that may not read $firehose/services', async () => {
    const file = join(dir, 'unreadable.yaml');
    writeFileSync(file, catalogue(FINISHED));
    const broker = await siteBroker(file);
    const client = await open(broker.url('mqtt')!);
    // A refused SUBACK is the answer: no waiting out the (here very long) timeout.
    await expect(client.learnServices({ timeout: 60_000 })).resolves.toEqual({
      services: [],
      published: false,
    });
    expect(client.catalogue.getService('deploy')).toBeUndefined();
    expect(client.catalogue.getService('gerrit')).toBeDefined();
  });

  it('refuses a timeout that is not a number of milliseconds', async () => {
    const broker = await startBroker();
    const client = await open(broker.url('mqtt')!);
    await expect(client.learnServices({ timeout: -1 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      path: 'timeout',
      message: 'timeout must be a number of milliseconds ≥ 0, got -1.',
    });
    // The broker declares no site services: an empty record, answered at once.
    await expect(client.learnServices()).resolves.toEqual({ services: [], published: true });
  });
});
