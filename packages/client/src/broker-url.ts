import { FirehoseError } from '@firehose/protocol';

type BrokerProtocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';

/** A broker URL, split into what MQTT.js's stream builders read from the client's options. */
export interface BrokerAddress {
  readonly url: string;
  readonly protocol: BrokerProtocol;
  /** Host for the stream builder: brackets kept for IPv6 in ws(s) URLs, stripped for TCP. */
  readonly hostname: string;
  readonly port: number;
  /** Path (with query) for ws(s); undefined for TCP. */
  readonly path: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

const DEFAULT_PORTS: Record<BrokerProtocol, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

/** @throws FirehoseError `INVALID_CONFIG` for anything but an mqtt/mqtts/ws/wss URL. */
export function parseBrokerUrl(url: string): BrokerAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `${JSON.stringify(url)} is not a URL; use e.g. mqtt://broker.example:1883 or wss://broker.example/mqtt.`,
      { cause },
    );
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (protocol !== 'mqtt' && protocol !== 'mqtts' && protocol !== 'ws' && protocol !== 'wss') {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `Unsupported broker URL scheme ${JSON.stringify(`${protocol}:`)} in ${url}; use mqtt://, mqtts://, ws:// or wss://.`,
    );
  }
  const web = protocol === 'ws' || protocol === 'wss';
  const bare = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    url,
    protocol,
    hostname: web ? parsed.hostname : bare,
    port: parsed.port === '' ? DEFAULT_PORTS[protocol] : Number(parsed.port),
    path: web ? `${parsed.pathname || '/'}${parsed.search}` : undefined,
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
  };
}
