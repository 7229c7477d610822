import type { ConnectionState } from '../connection/broker-connection.js';
import type { HealthSummary } from '../model/broker-health.js';
import { formatCount, formatRate } from './format-time.js';

export interface HealthPanelProps {
  readonly summary: HealthSummary;
  readonly entries: readonly [string, string][];
  readonly state: ConnectionState;
}

const show = (value: number | undefined, format: (value: number) => string) =>
  value === undefined ? '–' : format(value);

/** Broker health from `$SYS/firehose/...`. */
export function HealthPanel({ summary: latest, entries, state }: HealthPanelProps) {
  // Numbers from before the link dropped are not the broker's numbers now: show none until it is back.
  const stale = state !== 'connected' && entries.length > 0;
  const summary = stale
    ? { clients: undefined, inPerSecond: undefined, outPerSecond: undefined, dropped: undefined }
    : latest;
  return (
    <div class="health">
      {stale && <p class="stale-note">Not connected: the statistics come back with the broker.</p>}
      <dl class="stats" data-stale={stale ? '' : undefined}>
        <div>
          <dt>Clients</dt>
          <dd data-stat="clients">{show(summary.clients, formatCount)}</dd>
        </div>
        <div>
          <dt>In msg/s</dt>
          <dd data-stat="in">{show(summary.inPerSecond, formatRate)}</dd>
        </div>
        <div>
          <dt>Out msg/s</dt>
          <dd data-stat="out">{show(summary.outPerSecond, formatRate)}</dd>
        </div>
        <div>
          <dt>Dropped</dt>
          <dd data-stat="dropped">{show(summary.dropped, formatCount)}</dd>
        </div>
      </dl>
      {stale ? null : entries.length === 0 ? (
        <p class="empty">
          {state === 'connected'
            ? 'Waiting for the broker’s statistics on $SYS/firehose/# (published every sys.interval seconds).'
            : 'Statistics appear once connected.'}
        </p>
      ) : (
        <details>
          <summary>All {entries.length} statistics</summary>
          <table class="sys">
            <tbody>
              {entries.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row">
                    <code>{key}</code>
                  </th>
                  <td>{value.length > 80 ? `${value.slice(0, 80)}…` : value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
