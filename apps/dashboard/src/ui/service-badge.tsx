import { serviceColour } from './service-colours.js';

/** The service's colour and, always, its name: colour never carries the meaning alone. */
export function ServiceBadge({ service }: { service: string }) {
  return (
    <span class="badge" style={{ backgroundColor: serviceColour(service) }}>
      {service}
    </span>
  );
}
