import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCatalogue, services as builtIn } from '@firehose/schema';
import { buildSiteServices, SERVICES_TOPIC } from '@firehose/schema/site';
import { describe, expect, it } from 'vitest';
import type { CatalogueRecord } from '../src/index.js';
import { argocd, gitlab } from './ingest-services.js';
import { connectCollecting, startBroker, waitFor } from './helpers.js';

const LISTENERS = { mqtt: { host: '127.0.0.1', port: 0 } };

/** A catalogue file declaring one service `name` with one event type `done` on `<name>/{job}/done`. */
const serviceFile = (name: string): string => `firehose-catalogue: 1
services:
  ${name}:
    description: The site's ${name}
    source: https://${name}.example.org
    events:
      done:
        description: A ${name} job finished
        topic: ${name}/{job}/done
        params: { job: job }
        schema: { type: object, required: [job], properties: { job: { type: string } } }
`;

/** What a reader connecting now gets on `$firehose/services`: the retained record's service names. */
async function servicesSeenByAFreshReader(url: string): Promise<string[]> {
  const { client, seen } = await connectCollecting(url);
  await client.subscribeAsync(SERVICES_TOPIC, { qos: 0 });
  await waitFor(() => seen.length > 0, 5000, 'the retained $firehose/services record');
  await client.endAsync();
  return Object.keys((JSON.parse(seen[0]!.payload.toString()) as { services: object }).services);
}

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

  it('publishes the reloaded site services on $firehose/services after a catalogue reload, and keeps them when a reload is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firehose-site-services-'));
    try {
      const ci = join(dir, 'ci.yaml');
      const deploy = join(dir, 'deploy.yaml');
      await writeFile(ci, serviceFile('ci'));
      await writeFile(deploy, serviceFile('deploy'));
      const broker = await startBroker({ listeners: LISTENERS, catalogue: { files: [ci] } });
      const url = broker.url('mqtt')!;
      expect(await servicesSeenByAFreshReader(url)).toEqual(['ci']);

      const reload = await broker.reloadCatalogue({
        listeners: LISTENERS,
        catalogue: { files: [ci, deploy] },
      });
      expect(reload.added).toEqual(['deploy.done']);
      expect(await servicesSeenByAFreshReader(url)).toEqual(['ci', 'deploy']);

      // A refused catalogue changes nothing a reader sees.
      await writeFile(deploy, 'firehose-catalogue: 1\nservices: [not, a, map]\n');
      await expect(
        broker.reloadCatalogue({ listeners: LISTENERS, catalogue: { files: [ci, deploy] } }),
      ).rejects.toThrow(/deploy\.yaml/);
      expect(await servicesSeenByAFreshReader(url)).toEqual(['ci', 'deploy']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
