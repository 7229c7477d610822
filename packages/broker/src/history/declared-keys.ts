import type { ServiceDefinition } from '@firehose/schema';

/**
 * Search keys by CloudEvents type, every version's declared keys together (`EventType.keys`), of
 * `services` (the broker's catalogue: built-in and site services).
 */
export function declaredKeys(services: readonly ServiceDefinition[]): Record<string, Record<string, string>> {
  const keys: Record<string, Record<string, string>> = {};
  for (const service of services)
    for (const type of service.eventTypes) keys[type.type] = { ...keys[type.type], ...type.keys };
  return keys;
}
