import type { Catalogue } from './catalogue.js';
import { catalogue as defaultCatalogue } from './default-catalogue.js';
import type { EventType } from './event-type.js';
import { exportJsonSchema } from './export-json-schemas.js';
import { ASYNCAPI_EVENT_KEY, ASYNCAPI_SERVICES_KEY } from './site/asyncapi-catalogue.js';
import type { EventSpec } from './site/catalogue-document.js';
import { describeServices } from './site/describe-services.js';
import { pointerRef, rebaseRefs } from './site/rebase-refs.js';

/** Options of {@link exportAsyncApi}. */
export interface AsyncApiOptions {
  /** Document version (`info.version`). @default '1.0.0' */
  version?: string;
  /** Broker host of the MQTT server entry. @default 'firehose.example.org' */
  host?: string;
  /** Catalogue to export. @default the package's catalogue */
  catalogue?: Catalogue;
}

const MQTT_BINDING_VERSION = '0.2.0';

/** Channel/message id: AsyncAPI ids allow `[A-Za-z0-9_-]`, so `gerrit.comment-added` v1 → `gerrit_comment-added_v1`. */
const idOf = (eventType: EventType): string => `${eventType.type.replace('.', '_')}_v${eventType.version}`;

const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  project:
    'Project name; may span several topic levels (`All-Projects`, `openstack/nova`). Each level is percent-encoded.',
  branch: 'Branch name as one topic level, percent-encoded (`stable/2024.1` → `stable%2F2024.1`).',
  change: 'Change number, or `-` when the item has none (periodic, post).',
};

function parameters(eventType: EventType): Record<string, object> {
  const result: Record<string, object> = {};
  for (const name of eventType.template.params) {
    result[name] = {
      description:
        PARAMETER_DESCRIPTIONS[name] ??
        `${name}: one topic level; \`/\`, \`+\`, \`#\`, \`%\` are percent-encoded.`,
    };
  }
  return result;
}

/** The CloudEvents envelope around one event type's `data`. */
function envelope(eventType: EventType, dataRef: string): object {
  return {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'dataschema', 'data'],
    properties: {
      specversion: { type: 'string', const: '1.0' },
      id: {
        type: 'string',
        description: 'Unique per source; deterministic (UUIDv5) when the upstream event has an identity.',
      },
      source: { type: 'string', format: 'uri', description: 'Absolute URI of the upstream instance.' },
      type: { type: 'string', const: eventType.type },
      time: { type: 'string', format: 'date-time' },
      datacontenttype: { type: 'string', const: 'application/json' },
      dataschema: { type: 'string', const: eventType.dataschema },
      subject: { type: 'string' },
      data: { $ref: dataRef },
    },
  };
}

/**
 * One AsyncAPI 3.0 document for the whole catalogue: every channel (topic template) with its
 * parameters, a `receive` operation with MQTT bindings, and the envelope + data payload schemas.
 * The `x-firehose-services` and per-channel `x-firehose-event` extensions carry the rest of each
 * declaration (source, intake, the exact topic template, params, identity, keys, subject, render
 * rules, versions), so the document loads back as a catalogue file that declares the same types.
 */
export function exportAsyncApi(options: AsyncApiOptions = {}): object {
  const channels: Record<string, object> = {};
  const operations: Record<string, object> = {};
  const messages: Record<string, object> = {};
  const schemas: Record<string, object> = {};
  const services = (options.catalogue ?? defaultCatalogue).services;
  const described = describeServices(services, { ingest: true }).services;
  const firehoseServices: Record<string, object> = {};
  for (const service of services) {
    const { events, ...serviceSpec } = described[service.name]!;
    firehoseServices[service.name] = serviceSpec;
    for (const eventType of service.eventTypes) {
      const id = idOf(eventType);
      // An event is one declaration or a list of them, one per major.
      const versions = ([] as readonly EventSpec[]).concat(events[eventType.event]!);
      const spec = versions.find((d) => d.version === eventType.version)!;
      const { description: _description, schema: _schema, ...extension } = spec;
      const { $schema: _dialect, $id: _id, ...data } = exportJsonSchema(eventType);
      // Without its `$id`, the schema's own `#/$defs/…` refs (a site's bundled sibling files) would
      // resolve against this document's root: point them at where the schema now sits.
      schemas[id] = rebaseRefs(data, '#', pointerRef(['components', 'schemas', id])) as typeof data;
      messages[id] = {
        name: eventType.type,
        title: `${eventType.type} v${eventType.version}`,
        summary: eventType.description,
        contentType: 'application/json',
        payload: envelope(eventType, `#/components/schemas/${id}`),
        bindings: { mqtt: { bindingVersion: MQTT_BINDING_VERSION } },
      };
      channels[id] = {
        // AsyncAPI parameters are plain `{name}`; `{project+}` spanning levels is explained in its description.
        address: eventType.template.pattern.replace(/\{(\w+)\+\}/g, '{$1}'),
        title: eventType.type,
        description: eventType.description,
        ...(eventType.template.params.length > 0 ? { parameters: parameters(eventType) } : {}),
        messages: { [id]: { $ref: `#/components/messages/${id}` } },
        [ASYNCAPI_EVENT_KEY]: { service: service.name, event: eventType.event, ...extension },
      };
      operations[`receive_${id}`] = {
        action: 'receive',
        title: `Receive ${eventType.type}`,
        ...(eventType.deprecated
          ? { description: 'Deprecated: a newer major version replaces this one.' }
          : {}),
        channel: { $ref: `#/channels/${id}` },
        messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
        bindings: { mqtt: { qos: 1, retain: false, bindingVersion: MQTT_BINDING_VERSION } },
      };
    }
  }
  const host = options.host ?? 'firehose.example.org';
  const mqttServer = (port: number, protocol: string, description: string) => ({
    host: `${host}:${port}`,
    protocol,
    protocolVersion: '3.1.1',
    description,
    bindings: { mqtt: { cleanSession: false, keepAlive: 60, bindingVersion: MQTT_BINDING_VERSION } },
  });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Firehose',
      version: options.version ?? '1.0.0',
      description:
        'A read-only infrastructure event bus over MQTT 3.1.1. Every payload is a CloudEvents 1.0 structured JSON envelope; anonymous clients may subscribe to `#`.',
      license: { name: 'Apache 2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      mqtt: mqttServer(1883, 'mqtt', 'MQTT over TCP.'),
      mqtts: mqttServer(8883, 'secure-mqtt', 'MQTT over TLS.'),
      ws: { ...mqttServer(80, 'ws', 'MQTT over WebSocket.'), pathname: '/mqtt' },
      wss: { ...mqttServer(443, 'wss', 'MQTT over TLS WebSocket.'), pathname: '/mqtt' },
    },
    [ASYNCAPI_SERVICES_KEY]: firehoseServices,
    channels,
    operations,
    components: { messages, schemas },
  };
}
