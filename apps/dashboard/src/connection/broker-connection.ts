import { connect, type FirehoseClient, type ReceivedEvent } from '@firehose/client';

/** What the header shows: `down` means no connection and none being retried right now. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'down';

export interface ConnectionHandlers {
  /** A CloudEvents envelope on a service topic. */
  event(received: ReceivedEvent): void;
  /** A broker-owned record (`$SYS/firehose/...`, `$firehose/catalogue/...`): not an envelope. */
  record(topic: string, payload: string): void;
  /** A message on a service topic that is not a valid envelope. */
  invalid(topic: string): void;
  state(state: ConnectionState, detail?: string): void;
}

export interface BrokerConnection {
  close(): Promise<void>;
}

/** Everything on service topics, plus the broker's statistics and catalogue. */
const STREAM_FILTER = '#';
const RECORD_FILTERS = ['$SYS/firehose/#', '$firehose/catalogue/#'] as const;
const RETRY_MS = 5_000;

const decoder = new TextDecoder();

/**
 * Connects with `@firehose/client` and keeps at it: the client reconnects by itself once
 * connected; a first connection that fails is retried here every few seconds. Received data
 * stays in the page's buffer across reconnects.
 */
export function openBrokerConnection(url: string, handlers: ConnectionHandlers): BrokerConnection {
  let client: FirehoseClient | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const attempt = async (): Promise<void> => {
    handlers.state('connecting');
    try {
      // validate: false — the broker already validated; show exactly what it delivers.
      const next = await connect(url, { validate: false, clean: true });
      if (closed) {
        await next.close();
        return;
      }
      client = next;
      next.on('state', (state) => {
        if (state === 'connected') handlers.state('connected');
        else if (state === 'reconnecting') handlers.state('reconnecting');
        else if (state === 'closed' && !closed) handlers.state('down', 'The connection was closed.');
      });
      // Broker-owned topics carry plain JSON or numbers, so the client reports them as invalid
      // envelopes; that is where their payloads are read.
      next.on('invalid', (invalid) => {
        if (invalid.topic.startsWith('$')) handlers.record(invalid.topic, decoder.decode(invalid.payload));
        else handlers.invalid(invalid.topic);
      });
      next.on('error', () => undefined);
      await next.subscribe(STREAM_FILTER, (received) => handlers.event(received), { qos: 0 });
      for (const filter of RECORD_FILTERS) await next.subscribe(filter, () => undefined, { qos: 0 });
      handlers.state('connected');
    } catch (error) {
      if (closed) return;
      const reason = error instanceof Error ? error.message : String(error);
      handlers.state('down', `Cannot reach ${url}: ${reason} Retrying in ${RETRY_MS / 1000} s.`);
      retry = setTimeout(() => void attempt(), RETRY_MS);
    }
  };
  void attempt();

  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.close();
    },
  };
}
