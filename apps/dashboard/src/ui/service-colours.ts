import { serviceColour as paletteColour } from '@firehose/schema';

/**
 * The service's badge colour, from the palette `firehose tail` uses too (`@firehose/schema`):
 * each passes WCAG AA under white badge text, none is red (red means failure), and each badge also
 * carries the service name, so no meaning is carried by colour alone.
 */
export function serviceColour(service: string): string {
  return paletteColour(service).hex;
}
