// Colours pass WCAG AA against white text in the badge; each badge also carries the service name,
// so no meaning is carried by colour alone.
const known: Record<string, string> = {
  gerrit: '#1d5fa8',
  zuul: '#6b3fa0',
  launchpad: '#b2451a',
  'gearman-subunit': '#0f6e6e',
  'gearman-logstash': '#2f6b1f',
  ansible: '#a3203a',
};

const fallback = ['#4a5568', '#7b4b2a', '#2c5282', '#553c9a', '#285e61', '#744210'];

/** A stable colour per service: fixed for known services, hashed for others. */
export function serviceColour(service: string): string {
  const colour = known[service];
  if (colour) return colour;
  let hash = 0;
  for (let index = 0; index < service.length; index += 1) hash = (hash * 31 + service.charCodeAt(index)) >>> 0;
  return fallback[hash % fallback.length] as string;
}
