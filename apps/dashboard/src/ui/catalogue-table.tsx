import { groupByService, type CatalogueRow } from '../model/catalogue.js';
import { formatCount, formatRate, formatRelative, formatUtc } from './format-time.js';

export interface CatalogueTableProps {
  readonly rows: readonly CatalogueRow[];
  readonly now: number;
  readonly connected: boolean;
  /** The site's own services, learned from the broker: their groups say so. */
  readonly site: readonly string[];
}

/** Declared vs observed, from the broker's `$firehose/catalogue/...` records. */
export function CatalogueTable({ rows, now, connected, site }: CatalogueTableProps) {
  if (rows.length === 0) {
    return (
      <p class="empty">
        {connected
          ? 'No catalogue records yet. The broker publishes them every few seconds once traffic flows (catalogue.interval); if this stays empty, check that the catalogue is enabled in its config.'
          : 'The catalogue appears once the dashboard is connected to the broker.'}
      </p>
    );
  }
  const groups = groupByService(rows);
  return (
    // Focusable so a keyboard can scroll it.
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Catalogue, by service">
      <table class="catalogue catalogue-tree">
        <caption class="sr-only">
          Event types and topics seen by the broker, by service, with each service's totals
        </caption>
        <thead>
          <tr>
            <th scope="col">Service, type or topic</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Count
            </th>
            <th scope="col" class="num">
              msg/s
            </th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={group.service} data-service={group.service}>
            <tr class="service-row">
              <th scope="rowgroup">
                {group.service} <span class="muted">({group.rows.length})</span>
                {site.includes(group.service) && (
                  <span
                    class="muted site-service"
                    title="declared in the site's catalogue files, learned from the broker"
                  >
                    {' '}
                    site
                  </span>
                )}
              </th>
              <td>
                {group.undeclared > 0 && <strong>⚠ {group.undeclared} undeclared</strong>}
                {group.invalid > 0 && (
                  <strong class="invalid"> ⚠ {formatCount(group.invalid)} invalid</strong>
                )}
              </td>
              <td class="num" data-total="count">
                {formatCount(group.count)}
              </td>
              <td class="num">{formatRate(group.rate)}</td>
              <td>{lastSeen(group.lastSeen, now)}</td>
            </tr>
            {group.rows.map((row) => (
              <tr
                key={row.id}
                class={['type-row', row.status, row.invalid > 0 ? 'has-invalid' : ''].join(' ')}
              >
                <th scope="row">
                  <code>{row.name}</code>
                </th>
                <td>
                  {row.status === 'undeclared' ? <strong>⚠ undeclared</strong> : 'declared'}
                  {row.invalid > 0 && <strong class="invalid"> ⚠ {formatCount(row.invalid)} invalid</strong>}
                </td>
                <td class="num">{formatCount(row.count)}</td>
                <td class="num">{formatRate(row.rate)}</td>
                <td>{lastSeen(row.lastSeen, now)}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

function lastSeen(at: number | undefined, now: number) {
  return at === undefined ? (
    '–'
  ) : (
    <time dateTime={new Date(at).toISOString()} title={formatUtc(at)}>
      {formatRelative(at, now)}
    </time>
  );
}
