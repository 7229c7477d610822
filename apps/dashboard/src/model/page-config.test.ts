import { describe, expect, it } from 'vitest';
import { permalink, readPageConfig } from './page-config.js';

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
      history: 'http://dash.example.org:9090',
      search: undefined,
      event: undefined,
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

  it('finds the history API: ?history=, then the served one, then the broker host on port 9090', () => {
    expect(readPageConfig(page('?history=http%3A%2F%2Fh%3A1'), undefined, 'http://s:2').history).toBe(
      'http://h:1',
    );
    expect(readPageConfig(page(''), undefined, 'http://{host}:2').history).toBe('http://dash.example.org:2');
    expect(readPageConfig(page(''), 'wss://b.example/mqtt').history).toBe('https://b.example');
    expect(readPageConfig(page(''), undefined, 'off').history).toBeUndefined();
    expect(
      readPageConfig({ ...page(''), host: 'dash.example.org:5173' }, undefined, 'same-origin').history,
    ).toBe('http://dash.example.org:5173');
  });

  it('reads search mode and a permalinked event', () => {
    expect(readPageConfig(page('?search=1&from=-2h&where=data.x%20%3D%201&event=abc'))).toMatchObject({
      search: { from: '-2h', to: '', where: 'data.x = 1' },
      event: 'abc',
    });
    expect(readPageConfig(page('?search=0')).search).toBeUndefined();
  });

  it('makes a permalink that keeps the broker and drops the filters', () => {
    const location = {
      origin: 'http://d:5173',
      pathname: '/',
      search: '?broker=ws%3A%2F%2Fb%2Fmqtt&project=nova',
    };
    expect(permalink(location, '07c2540000001267')).toBe(
      'http://d:5173/?broker=ws%3A%2F%2Fb%2Fmqtt&event=07c2540000001267',
    );
  });
});
