import { describe, expect, it } from 'vitest';
import { readPageConfig } from './page-config.js';

const page = (search: string, hostname = 'dash.example.org', protocol = 'http:') => ({
  search,
  hostname,
  protocol,
});

describe('readPageConfig', () => {
  it('defaults to the page host on port 8080', () => {
    expect(readPageConfig(page(''))).toEqual({
      broker: 'ws://dash.example.org:8080/mqtt',
      retention: 10_000,
      grouping: true,
    });
    expect(readPageConfig(page('', 'x', 'https:')).broker).toBe('wss://x:8443/mqtt');
    expect(readPageConfig(page('', '::1')).broker).toBe('ws://[::1]:8080/mqtt');
  });

  it('prefers ?broker=, then the served URL', () => {
    expect(readPageConfig(page(''), 'ws://127.0.0.1:9/mqtt').broker).toBe('ws://127.0.0.1:9/mqtt');
    expect(readPageConfig(page(''), 'ws://{host}:9/mqtt').broker).toBe('ws://dash.example.org:9/mqtt');
    expect(readPageConfig(page('?broker=ws%3A%2F%2Fb%3A1%2Fmqtt'), 'ws://127.0.0.1:9/mqtt').broker).toBe(
      'ws://b:1/mqtt',
    );
  });

  it('reads retention and grouping, ignoring nonsense', () => {
    expect(readPageConfig(page('?retain=500&group=0'))).toMatchObject({ retention: 500, grouping: false });
    expect(readPageConfig(page('?retain=-3')).retention).toBe(10_000);
    expect(readPageConfig(page('?retain=99999999')).retention).toBe(200_000);
  });
});
