import { describe, expect, it } from 'vitest';
import { makeItem } from '../../test/make-item.js';
import { BrokerHealth } from './broker-health.js';
import { jsonPath } from './json-path.js';
import { toNdjson } from './ndjson.js';

describe('jsonPath', () => {
  it('writes dotted, indexed and quoted segments', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['data', 'approvals', 0, 'value'])).toBe('$.data.approvals[0].value');
    expect(jsonPath(['data', 'bug-number'])).toBe('$.data["bug-number"]');
  });
});

describe('toNdjson', () => {
  it('writes one parseable line per event', () => {
    const lines = toNdjson([makeItem({ seq: 1 }), makeItem({ seq: 2 })])
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(2);
    expect((JSON.parse(lines[1]!) as { event: { id: string } }).event.id).toBe('id-2');
  });
});

describe('BrokerHealth', () => {
  it('reads published numbers and derives rates from cumulative counters', () => {
    const health = new BrokerHealth();
    expect(health.record('$SYS/broker/uptime', '1', 0)).toBe(false);
    health.record('$SYS/firehose/clients/connected', '7', 0);
    health.record('$SYS/firehose/messages/received', '100', 0);
    health.record('$SYS/firehose/messages/received', '600', 10_000);
    health.record('$SYS/firehose/messages/dropped/queue', '2', 0);
    health.record('$SYS/firehose/messages/dropped/invalid', '3', 0);
    expect(health.summary()).toMatchObject({ clients: 7, inPerSecond: 50, dropped: 5 });
    expect(health.entries().map(([key]) => key)).toContain('clients/connected');
  });

  it('adds up per-node statistics', () => {
    const health = new BrokerHealth();
    health.record('$SYS/firehose/node-a/clients/connected', '2', 0);
    health.record('$SYS/firehose/node-b/clients/connected', '3', 0);
    expect(health.summary().clients).toBe(5);
  });

  it("reads the broker's JSON stats record per node", () => {
    const health = new BrokerHealth();
    const stats = (received: number) =>
      JSON.stringify({
        uptime: 12,
        clients: { connected: 4 },
        messages: { received, sent: received * 2, dropped: { queue: 1, invalid: 2 } },
      });
    health.record('$SYS/firehose/node-a/stats', stats(100), 0);
    health.record('$SYS/firehose/node-a/stats', stats(300), 2_000);
    expect(health.summary()).toEqual({
      clients: 4,
      inPerSecond: 100,
      outPerSecond: 200,
      dropped: 3,
      uptimeSeconds: 12,
    });
  });
});
