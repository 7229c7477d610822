import { services } from '@firehose/schema';

/** Search keys by CloudEvents type, every version's declared keys together (`EventType.keys`). */
export function declaredKeys(): Record<string, Record<string, string>> {
  const keys: Record<string, Record<string, string>> = {};
  for (const service of services)
    for (const type of service.eventTypes) keys[type.type] = { ...keys[type.type], ...type.keys };
  return keys;
}
