import { summarizeShared } from './shared-summary.js';
import type { BrokerStats } from './stats.js';

/** Exponentially weighted per-minute rates over 1, 5 and 15 minutes, as Mosquitto's `load/...`. */
class LoadAverage {
  readonly values = { '1min': 0, '5min': 0, '15min': 0 };
  #last: number;

  constructor(initial: number) {
    this.#last = initial;
  }

  update(total: number, seconds: number): void {
    const perMinute = ((total - this.#last) / seconds) * 60;
    this.#last = total;
    for (const [window, minutes] of [
      ['1min', 1],
      ['5min', 5],
      ['15min', 15],
    ] as const) {
      const decay = Math.exp(-seconds / (minutes * 60));
      this.values[window] = this.values[window] * decay + perMinute * (1 - decay);
    }
  }
}

/** One `$SYS` message. */
export interface SysMessage {
  topic: string;
  payload: string;
}

/**
 * Builds the `$SYS` tree on each `sys.interval`: Mosquitto-compatible `$SYS/broker/...` names
 * (so mqtt_statsd-style scrapers keep working) and one JSON document per node on
 * `$SYS/firehose/<node>/stats`.
 */
export class SysStats {
  readonly #stats: BrokerStats;
  readonly #version: string;
  readonly #load: Record<
    'messagesReceived' | 'messagesSent' | 'bytesReceived' | 'bytesSent' | 'connections',
    LoadAverage
  >;
  #lastTick = Date.now();
  #heapMax = 0;

  constructor(stats: BrokerStats, version: string) {
    this.#stats = stats;
    this.#version = version;
    this.#load = {
      messagesReceived: new LoadAverage(stats.messagesReceived),
      messagesSent: new LoadAverage(stats.messagesSent),
      bytesReceived: new LoadAverage(stats.bytesReceived),
      bytesSent: new LoadAverage(stats.bytesSent),
      connections: new LoadAverage(stats.connectionsTotal),
    };
  }

  /** Advances the load averages and returns the messages to publish. */
  tick(node: string): { broker: SysMessage[]; firehose: SysMessage } {
    const s = this.#stats;
    const now = Date.now();
    const seconds = Math.max((now - this.#lastTick) / 1000, 0.001);
    this.#lastTick = now;
    this.#load.messagesReceived.update(s.messagesReceived, seconds);
    this.#load.messagesSent.update(s.messagesSent, seconds);
    this.#load.bytesReceived.update(s.bytesReceived, seconds);
    this.#load.bytesSent.update(s.bytesSent, seconds);
    this.#load.connections.update(s.connectionsTotal, seconds);
    return this.snapshot(node, now);
  }

  /** The messages for the counters as they are now, with the load averages of the last tick. */
  snapshot(node: string, now = Date.now()): { broker: SysMessage[]; firehose: SysMessage } {
    const s = this.#stats;
    const memory = process.memoryUsage();
    this.#heapMax = Math.max(this.#heapMax, memory.heapUsed);
    const uptime = Math.floor((now - s.startedAt) / 1000);
    const dropped = Object.fromEntries(s.dropped);
    const droppedTotal = [...s.dropped.values()].reduce((a, b) => a + b, 0);

    const broker: SysMessage[] = [];
    const put = (name: string, value: string | number): void => {
      broker.push({
        topic: `$SYS/broker/${name}`,
        payload: typeof value === 'number' ? formatNumber(value) : value,
      });
    };
    put('version', `firehose ${this.#version}`);
    put('uptime', `${uptime} seconds`);
    put('clients/connected', s.clientsConnected);
    put('clients/active', s.clientsConnected);
    put('clients/maximum', s.clientsMaximum);
    put('clients/total', s.clientsConnected);
    put('messages/received', s.messagesReceived);
    put('messages/sent', s.messagesSent);
    put('publish/messages/received', s.messagesReceived);
    put('publish/messages/sent', s.messagesSent);
    put('publish/messages/dropped', droppedTotal);
    put('bytes/received', s.bytesReceived);
    put('bytes/sent', s.bytesSent);
    put('subscriptions/count', s.subscriptions);
    put('heap/current', memory.heapUsed);
    put('heap/maximum', this.#heapMax);
    for (const window of ['1min', '5min', '15min'] as const) {
      put(`load/messages/received/${window}`, this.#load.messagesReceived.values[window]);
      put(`load/messages/sent/${window}`, this.#load.messagesSent.values[window]);
      put(`load/publish/received/${window}`, this.#load.messagesReceived.values[window]);
      put(`load/publish/sent/${window}`, this.#load.messagesSent.values[window]);
      put(`load/bytes/received/${window}`, this.#load.bytesReceived.values[window]);
      put(`load/bytes/sent/${window}`, this.#load.bytesSent.values[window]);
      put(`load/connections/${window}`, this.#load.connections.values[window]);
    }

    const firehose: SysMessage = {
      topic: `$SYS/firehose/${node}/stats`,
      payload: JSON.stringify({
        node,
        version: this.#version,
        time: new Date(now).toISOString(),
        uptime,
        clients: {
          connected: s.clientsConnected,
          maximum: s.clientsMaximum,
          connectionsTotal: s.connectionsTotal,
        },
        subscriptions: s.subscriptions,
        messages: { received: s.messagesReceived, sent: s.messagesSent, dropped },
        bytes: { received: s.bytesReceived, sent: s.bytesSent },
        load: {
          messagesReceivedPerMinute: this.#load.messagesReceived.values,
          messagesSentPerMinute: this.#load.messagesSent.values,
        },
        memory: { heapUsed: memory.heapUsed, rss: memory.rss },
        shared: summarizeShared(s.sharedGroups()),
      }),
    };
    return { broker, firehose };
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
