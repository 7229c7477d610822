/**
 * One history stream entry's fields (docs/architecture.md#cluster-history): `t` the MQTT topic,
 * `p` the payload as published.
 */
export const TOPIC_FIELD = 't';
export const PAYLOAD_FIELD = 'p';

/** The topic and payload of an entry's field list, or undefined when it lacks either. */
export function entryFields(fields: Buffer[]): { topic: string; payload: Buffer } | undefined {
  let topic: string | undefined;
  let payload: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    if (name === TOPIC_FIELD) topic = fields[i + 1]!.toString();
    else if (name === PAYLOAD_FIELD) payload = fields[i + 1];
  }
  return topic === undefined || payload === undefined ? undefined : { topic, payload };
}

/**
 * Whether a payload may be a JSON object (its first non-blank byte is `{`). Only those are kept,
 * like the single node's archive: anything else is delivered live and not kept.
 */
export function mayBeJsonObject(payload: Buffer): boolean {
  for (const byte of payload) {
    if (byte === 0x7b) return true;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The payload as a JSON object's text and value, or undefined when it is not one. */
export function jsonObject(payload: Buffer): { text: string; event: Record<string, unknown> } | undefined {
  try {
    const text = utf8.decode(payload);
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return { text, event: value as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
