const PREFIX = 'urn:firehose:schema:';

/** The envelope's `dataschema` for an event type and schema major: `urn:firehose:schema:gerrit.comment-added:1`. */
export function dataschemaUrn(type: string, major: number): string {
  return `${PREFIX}${type}:${major}`;
}

/** Reads the event type and schema major back from a `dataschema` URN; `undefined` for any other URI. */
export function parseDataschema(urn: string): { type: string; major: number } | undefined {
  if (!urn.startsWith(PREFIX)) return undefined;
  const colon = urn.lastIndexOf(':');
  if (colon <= PREFIX.length) return undefined;
  const majorText = urn.slice(colon + 1);
  if (!/^[1-9][0-9]{0,5}$/.test(majorText)) return undefined;
  return { type: urn.slice(PREFIX.length, colon), major: Number(majorText) };
}
