import type { CatalogueRow } from '../model/catalogue.js';
import { formatCount, formatRate, formatRelative, formatUtc } from './format-time.js';

export interface CatalogueTableProps {
  readonly rows: readonly CatalogueRow[];
  readonly now: number;
  readonly connected: boolean;
}

/** Declared vs observed, from the broker's `$firehose/catalogue/...` records. */
export function CatalogueTable({ rows, now, connected }: CatalogueTableProps) {
  if (rows.length === 0) {
    return (
      <p class="empty">
        {connected
          ? 'No catalogue records yet. The broker publishes them every few seconds once traffic flows (catalogue.interval); if this stays empty, check that the catalogue is enabled in its config.'
          : 'The catalogue appears once the dashboard is connected to the broker.'}
      </p>
    );
  }
  return (
    <div class="table-scroll">
      <table class="catalogue">
        <caption class="sr-only">Event types and topics seen by the broker</caption>
        <thead>
          <tr>
            <th scope="col">Type or topic</th>
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
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} class={[row.status, row.invalid > 0 ? 'has-invalid' : ''].join(' ')}>
              <th scope="row">
                <code>{row.name}</code>
              </th>
              <td>
                {row.status === 'undeclared' ? <strong>⚠ undeclared</strong> : 'declared'}
                {row.invalid > 0 && <strong class="invalid"> ⚠ {formatCount(row.invalid)} invalid</strong>}
              </td>
              <td class="num">{formatCount(row.count)}</td>
              <td class="num">{formatRate(row.rate)}</td>
              <td>
                {row.lastSeen === undefined ? (
                  '–'
                ) : (
                  <time dateTime={new Date(row.lastSeen).toISOString()} title={formatUtc(row.lastSeen)}>
                    {formatRelative(row.lastSeen, now)}
                  </time>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
