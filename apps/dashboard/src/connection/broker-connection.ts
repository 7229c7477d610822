import { connect, type FirehoseClient, type ReceivedEvent } from '@firehose/client';
import { catalogue as builtInCatalogue, type Catalogue } from '@firehose/schema';

/** What the header shows: `down` means no connection and none being retried right now. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'down';

export interface ConnectionHandlers {
  /** A CloudEvents envelope on a service topic. */
  event(received: ReceivedEvent): void;
  /** A broker-owned record (`$SYS/firehose/...`, `$firehose/catalogue/...`): not an envelope. */
  record(topic: string, payload: string): void;
  /** A message on a service topic that is not a valid envelope. */
  invalid(topic: string): void;
  /**
   * The broker's `$firehose/services` record was read (again, after a catalogue reload): `catalogue`
   * renders the site's services `site` too. `site` undefined: the broker published none (or an
   * unusable one, or could not be reached), so the built-in services are all there is.
   */
  services(catalogue: Catalogue, site: readonly string[] | undefined): void;
  state(state: ConnectionState, detail?: string): void;
}

export interface BrokerConnection {
  close(): Promise<void>;
}

/** Everything on service topics, plus the broker's statistics and catalogue. */
const STREAM_FILTER = '#';
const RECORD_FILTERS = ['$SYS/firehose/#', '$firehose/catalogue/#'] as const;
const RETRY_MS = 5_000;
/** How long to wait for the retained `$firehose/services` record: only an older broker makes the page wait it out. */
const SERVICES_WAIT_MS = 3_000;

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
      // The site's own services, with no rebuild: subscribed before the stream, so the retained
      // record arrives (and is learned) before any event on it. A reload republishes the record.
      next.on('services', (services) =>
        handlers.services(
          next.catalogue,
          services.map((service) => service.name),
        ),
      );
      void next.learnServices({ timeout: SERVICES_WAIT_MS }).then(
        (learned) => {
          if (!learned.published) handlers.services(next.catalogue, undefined);
        },
        // An unusable record: the built-in services still render.
        () => handlers.services(next.catalogue, undefined),
      );
      await next.subscribe(STREAM_FILTER, (received) => handlers.event(received), { qos: 0 });
      for (const filter of RECORD_FILTERS) await next.subscribe(filter, () => undefined, { qos: 0 });
      handlers.state('connected');
    } catch (error) {
      if (closed) return;
      const reason = error instanceof Error ? error.message : String(error);
      handlers.services(builtInCatalogue, undefined);
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
