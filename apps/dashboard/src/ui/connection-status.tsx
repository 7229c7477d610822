import type { ConnectionState } from '../connection/broker-connection.js';

const words: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  down: 'Down',
};

const marks: Record<ConnectionState, string> = {
  connecting: '◌',
  connected: '●',
  reconnecting: '◐',
  down: '○',
};

/** Connection state as a word (and a shape), never by colour alone. */
export function ConnectionStatus({
  state,
  broker,
  detail,
}: {
  state: ConnectionState;
  broker: string;
  detail: string | undefined;
}) {
  return (
    <span class={`conn conn-${state}`} role="status" title={detail ?? broker} data-state={state}>
      <span aria-hidden="true">{marks[state]} </span>
      {words[state]} <span class="muted">{broker}</span>
    </span>
  );
}
