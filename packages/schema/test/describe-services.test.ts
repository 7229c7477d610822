import {
  createCatalogue,
  createServiceEvent,
  gerrit,
  services as builtIn,
  type EventType,
  type ServiceDefinition,
} from '@firehose/schema';
import { buildSiteServices, describeServices } from '@firehose/schema/site';
import { describe, expect, it } from 'vitest';
import { loadFixture } from './fixtures.js';

/** What a reader of the document must get back for each event type. */
function declaration(eventType: EventType): object {
  return {
    type: eventType.type,
    version: eventType.version,
    deprecated: eventType.deprecated,
    description: eventType.description,
    pattern: eventType.template.pattern,
    schema: eventType.schema,
    dataType: eventType.dataType,
    rendering: eventType.rendering,
    paramSources: eventType.paramSources,
    identityPaths: eventType.identityPaths,
    keys: eventType.keys,
    subjectTemplate: eventType.subjectTemplate,
    secretMarkers: eventType.secretMarkers,
  };
}

const site: ServiceDefinition[] = buildSiteServices({
  'firehose-catalogue': 1,
  services: {
    argocd: {
      description: 'Argo CD notifications',
      source: 'https://argocd.acme.example',
      ingest: { auth: 'bearer', secretEnv: 'ARGOCD_TOKEN', eventFrom: { pointer: '/kind' } },
      events: {
        sync: [
          {
            version: 1,
            deprecated: true,
            description: 'An application synced (old shape)',
            topic: 'argocd/{app}/sync',
            match: 'sync',
            params: { app: 'app' },
            schema: { type: 'object', required: ['app'], properties: { app: { type: 'string' } } },
          },
          {
            version: 2,
            description: 'An application synced',
            topic: 'argocd/{app}/sync',
            match: 'sync',
            params: { app: 'application.name' },
            identity: ['application.name', 'revision'],
            keys: { app: 'application.name' },
            subject: '{application.name}/{revision}',
            render: { summary: '{data.application.name} synced', sentence: '{data.application.name} synced' },
            schema: {
              type: 'object',
              required: ['application', 'revision'],
              properties: {
                application: { type: 'object', properties: { name: { type: 'string' } } },
                revision: { type: 'string' },
              },
            },
          },
        ],
      },
    },
  },
});

describe('describeServices', () => {
  it('writes every built-in service as a catalogue document that declares the same event types again', () => {
    const document = describeServices(builtIn);
    // Through JSON, as a reader of $firehose/services receives it.
    const rebuilt = buildSiteServices(JSON.parse(JSON.stringify(document)));
    expect(rebuilt.map((s) => s.name)).toEqual(builtIn.map((s) => s.name));
    for (const [index, service] of builtIn.entries()) {
      const again = rebuilt[index]!;
      expect(again.source).toBe(service.source);
      expect(again.eventTypes.map(declaration)).toEqual(
        JSON.parse(JSON.stringify(service.eventTypes.map(declaration))),
      );
    }
    // The rebuilt validator accepts what the TypeBox one accepts, and the topics agree.
    const commentAdded = createCatalogue(rebuilt).getEventType('gerrit.comment-added')!;
    const { data } = loadFixture(gerrit.commentAdded);
    expect(commentAdded.validate(data).ok).toBe(true);
    expect(commentAdded.topicFor(data)).toBe(gerrit.commentAdded.topicFor(data as never));
    expect(commentAdded.validate({ ...data, change: 42 }).ok).toBe(false);
  });

  it('keeps every major, and leaves the intake out unless asked', () => {
    const published = describeServices(site);
    expect(published.services.argocd!.ingest).toBeUndefined();
    expect(JSON.stringify(published)).not.toContain('ARGOCD_TOKEN');
    const rebuilt = buildSiteServices(JSON.parse(JSON.stringify(published)));
    expect(rebuilt[0]!.eventTypes.map(declaration)).toEqual(
      JSON.parse(JSON.stringify(site[0]!.eventTypes.map(declaration))),
    );
    expect(rebuilt[0]!.ingest).toBeUndefined();

    const full = buildSiteServices(describeServices(site, { ingest: true }));
    expect(full[0]!.ingest).toEqual(site[0]!.ingest);
  });
});

describe('createServiceEvent with a site catalogue', () => {
  const sync = site[0]!.eventTypes.find((t) => t.version === 2)!;
  const data = { application: { name: 'web' }, revision: 'abc123' };

  it("takes the site service's source from the catalogue it is given", () => {
    const event = createServiceEvent(sync, data, { catalogue: createCatalogue([...builtIn, ...site]) });
    expect(event).toMatchObject({
      source: 'https://argocd.acme.example',
      type: 'argocd.sync',
      dataschema: 'urn:firehose:schema:argocd.sync:2',
      subject: 'web/abc123',
    });
    expect(createServiceEvent(sync, data, { catalogue: createCatalogue(site) }).id).toBe(event.id);
  });

  it('says which option is missing when the default catalogue does not know the service', () => {
    expect(() => createServiceEvent(sync, data)).toThrow(
      /argocd\.sync belongs to no service of the catalogue; pass options\.catalogue .*argocd.* or options\.source/,
    );
  });
});
