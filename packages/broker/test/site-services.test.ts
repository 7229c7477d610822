import { createCatalogue, services as builtIn } from '@firehose/schema';
import { buildSiteServices, SERVICES_TOPIC } from '@firehose/schema/site';
import { describe, expect, it } from 'vitest';
import type { CatalogueRecord } from '../src/index.js';
import { argocd, gitlab } from './ingest-services.js';
import { connectCollecting, startBroker, waitFor } from './helpers.js';

const LISTENERS = { mqtt: { host: '127.0.0.1', port: 0 } };

describe('site services on $firehose/services and in the live catalogue', () => {
  it('publishes the site services as a retained catalogue document a client can build them from, without the intake', async () => {
    const broker = await startBroker(
      { listeners: LISTENERS, catalogue: { interval: 60 } },
      { services: [gitlab, argocd], env: {} },
    );
    // A reader that arrives later still gets it: retained.
    const { client, seen } = await connectCollecting(broker.url('mqtt')!);
    await client.subscribeAsync([SERVICES_TOPIC, '$firehose/catalogue/#'], { qos: 0 });
    await waitFor(() => seen.some((m) => m.topic === SERVICES_TOPIC), 5000, 'the $firehose/services record');
    const message = seen.find((m) => m.topic === SERVICES_TOPIC)!;
    expect(message.retain).toBe(true);
    const text = message.payload.toString();
    expect(text).not.toContain('TEST_GITLAB_SECRET');
    const rebuilt = buildSiteServices(JSON.parse(text));
    expect(rebuilt.map((s) => s.name)).toEqual(['gitlab', 'argocd']);
    expect(rebuilt.every((s) => s.ingest === undefined)).toBe(true);
    // The rebuilt services route topics the same way as the broker's own.
    const catalogue = createCatalogue([...builtIn, ...rebuilt]);
    const found = catalogue.lookup('gitlab/acme/widgets/push');
    expect(found?.eventType.type).toBe('gitlab.push');
    expect(found?.params).toEqual({ project: 'acme/widgets' });

    // Every declared site type has a catalogue record before its first event.
    await waitFor(
      () => seen.some((m) => m.topic.endsWith('/declared/argocd.sync')),
      5000,
      'a catalogue record for argocd.sync',
    );
    const record = JSON.parse(
      seen.find((m) => m.topic.endsWith('/declared/gitlab.push'))!.payload.toString(),
    ) as CatalogueRecord;
    expect(record).toMatchObject({
      kind: 'declared',
      count: 0,
      description: gitlab.eventTypes[0]!.description,
    });
  });

  it('publishes an empty services map when the site declares none, so a reader never waits for it', async () => {
    const broker = await startBroker({ listeners: LISTENERS, catalogue: { interval: 0 } });
    const { client, seen } = await connectCollecting(broker.url('mqtt')!);
    await client.subscribeAsync(SERVICES_TOPIC, { qos: 0 });
    await waitFor(() => seen.length > 0, 5000, 'the $firehose/services record');
    expect(JSON.parse(seen[0]!.payload.toString())).toEqual({ 'firehose-catalogue': 1, services: {} });
  });
});
