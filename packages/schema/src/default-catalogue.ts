import { createCatalogue } from './catalogue.js';
import { services } from './default-services.js';

/**
 * The catalogue of docs/architecture.md#topics: gerrit, launchpad, zuul, gearman-subunit,
 * gearman-logstash, ansible.
 */
export const catalogue = createCatalogue(services);

/** Every declared event type, every version. */
export const eventTypes = catalogue.eventTypes;

/**
 * The event type for a CloudEvents `type` and schema major. Without `major`, the newest
 * non-deprecated version (or the newest, when all are deprecated).
 */
export const getEventType = catalogue.getEventType;

/** All declared versions of a type, newest first. */
export const getEventTypeVersions = catalogue.getEventTypeVersions;

/** The service definition for a first topic level / type prefix. */
export const getService = catalogue.getService;

/**
 * The declared event type of a topic and its decoded parameters, through a trie over topic
 * levels (cost grows with the topic's depth, not with the catalogue's size). `undefined` when no
 * template matches or a level is not canonically encoded.
 */
export const lookup = catalogue.lookup;

/**
 * The declared event type (current version) whose topic pattern the topic's levels match, without
 * decoding them: cheaper than `lookup`, and a topic of a declared shape whose levels are not
 * canonically encoded still has one (`checkEvent` then rejects it as INVALID_TOPIC) where `lookup`
 * returns undefined. `undefined` for topics no schema declares.
 */
export const eventTypeForTopic = catalogue.eventTypeForTopic;

/**
 * Checks an envelope published on a topic against the catalogue: the topic's template, the
 * envelope `type`, `data.type` (Gerrit), the `dataschema` major and the topic parameters the data
 * repeats must agree, then `data` is validated with that major's compiled schema. Never throws;
 * the broker calls it per message.
 */
export const checkEvent = catalogue.checkEvent;

/**
 * The declared event types (current versions) whose topics the MQTT filter can match. An empty
 * result means the filter can never receive a declared event: worth a warning (docs/architecture.md#topics).
 * Throws a FirehoseError `INVALID_FILTER` for a malformed filter.
 */
export const eventTypesForFilter = catalogue.eventTypesForFilter;
