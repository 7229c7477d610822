/**
 * One colour per service, shared by every firehose view: `hex` is the dashboard badge's background
 * (WCAG AA, ≥ 4.5:1, under white text), `ansi` the SGR foreground code `firehose tail` uses for the
 * same hue. Red is kept for failures, in both, so no service can look like one.
 */
export interface ServiceColour {
  readonly hex: string;
  readonly ansi: number;
}

/** The catalogue's services: distinct hues, fixed so screenshots and muscle memory agree. */
export const SERVICE_COLOURS: Readonly<Record<string, ServiceColour>> = {
  gerrit: { hex: '#1d5fa8', ansi: 34 },
  zuul: { hex: '#6b3fa0', ansi: 35 },
  launchpad: { hex: '#8a5a00', ansi: 33 },
  ansible: { hex: '#0e6655', ansi: 92 },
  'gearman-subunit': { hex: '#0f6e6e', ansi: 36 },
  'gearman-logstash': { hex: '#2f6b1f', ansi: 32 },
};

/** For any other service, a hash of its name picks one of these. */
export const FALLBACK_COLOURS: readonly ServiceColour[] = [
  { hex: '#2c5282', ansi: 94 },
  { hex: '#553c9a', ansi: 95 },
  { hex: '#285e61', ansi: 96 },
  { hex: '#744210', ansi: 93 },
  { hex: '#276749', ansi: 32 },
  { hex: '#4a5568', ansi: 34 },
];

/**
 * A stable colour per service: fixed for the catalogue's services, else a hash of the name, so a
 * service has the same colour in every terminal, every browser and every run.
 */
export function serviceColour(service: string): ServiceColour {
  const known = SERVICE_COLOURS[service];
  if (known !== undefined) return known;
  let hash = 0;
  for (let index = 0; index < service.length; index += 1)
    hash = (hash * 31 + service.charCodeAt(index)) >>> 0;
  return FALLBACK_COLOURS[hash % FALLBACK_COLOURS.length]!;
}
