// Public API of @firehose/schema: every service's topics and payload schemas, checked, versioned, rendered and exported.
export {
  topicTemplate,
  DEFAULT_MAX_DEPTH,
  type TopicTemplate,
  type TemplateParams,
  type TemplateParamNames,
  type FilterOptions,
} from './topic-template.js';
export {
  defineEventType,
  type EventType,
  type EventTypeDefinition,
  type Subscription,
  type InferData,
  type InferParams,
} from './event-type.js';
export type { ValidationResult } from './validation.js';
export type { RenderSpec } from './render-spec.js';
export { render, type Rendered, type RenderOptions } from './render.js';
export { formatters, type Formatter } from './formatters.js';
export type { DataPath } from './data-path.js';
export { RESERVED_KEY_NAMES } from './index-keys.js';
export { gerrit } from './services/gerrit.js';
export { launchpad } from './services/launchpad.js';
export { zuul } from './services/zuul.js';
export { gearmanSubunit, gearmanLogstash } from './services/gearman.js';
export { ansible, redactAnsibleResult } from './services/ansible.js';
export { redactSecrets, secretMarkers, REDACTED_TEXT } from './redact-secrets.js';
export type { IngestAuth, IngestEventFrom, ServiceDefinition, ServiceIngest } from './service-definition.js';
export { services } from './default-services.js';
export { createCatalogue, type Catalogue } from './catalogue.js';
export {
  catalogue,
  eventTypes,
  getEventType,
  getEventTypeVersions,
  getService,
  lookup,
  eventTypeForTopic,
  checkEvent,
  eventTypesForFilter,
} from './default-catalogue.js';
export type { LookupResult } from './lookup.js';
export type { CheckResult } from './check-event.js';
export { createServiceEvent, type ServiceEventOptions } from './create-service-event.js';
export { checkCompatible, type CompatibilityResult } from './compatibility.js';
export {
  exportJsonSchema,
  exportJsonSchemas,
  schemaFileName,
  JSON_SCHEMA_DIALECT,
} from './export-json-schemas.js';
export { exportAsyncApi, type AsyncApiOptions } from './export-asyncapi.js';
export { FALLBACK_COLOURS, SERVICE_COLOURS, serviceColour, type ServiceColour } from './service-colours.js';
export { mentionsPerson, peopleOf } from './people.js';
