import { sha1 } from './sha1.js';

/** Upstream identity of an event: a string, or the parts that identify it (e.g. change number, patchset, type). */
export type EventIdentity = string | readonly (string | number)[];

// RFC 9562 URL namespace: every firehose name is `JSON.stringify([source, ...identity])`, scoped by the
// upstream instance URI, so two Gerrit servers' change 1 never share an id.
const URL_NAMESPACE = hexToBytes('6ba7b8119dad11d180b400c04fd430c8');
const encoder = new TextEncoder();

/**
 * The deterministic id of an upstream event: a UUIDv5 of `source` and the event's identity. A retried or
 * replayed event gets the same id, so consumers dedupe on `source` + `id`.
 */
export function eventId(source: string, identity: EventIdentity): string {
  const parts = typeof identity === 'string' ? [identity] : identity;
  const name = encoder.encode(JSON.stringify([source, ...parts]));
  const input = new Uint8Array(URL_NAMESPACE.length + name.length);
  input.set(URL_NAMESPACE);
  input.set(name, URL_NAMESPACE.length);
  const bytes = sha1(input).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  return formatUuid(bytes);
}

/** A random UUIDv4, for events without an upstream identity. Works in non-secure browser contexts too. */
export function randomEventId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

function formatUuid(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
