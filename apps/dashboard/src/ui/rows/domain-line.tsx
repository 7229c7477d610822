import type { StreamItem } from '../../model/stream-item.js';
import { GenericLine } from './generic-line.js';
import { GerritLine } from './gerrit-line.js';
import { ZuulLine } from './zuul-line.js';

/** The second line of a row: a domain view per service, a generic one otherwise. */
export function DomainLine({ item }: { item: StreamItem }) {
  switch (item.service) {
    case 'gerrit':
      return <GerritLine item={item} />;
    case 'zuul':
      return <ZuulLine item={item} />;
    default:
      return <GenericLine item={item} />;
  }
}
