import { isFirehoseError } from '@firehose/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './defaults.js';
import { resolveConfig } from './resolve-config.js';

const HASH = 'scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==';

function problemOf(input: unknown): string {
  try {
    resolveConfig(input as never);
  } catch (error) {
    if (isFirehoseError(error, 'INVALID_CONFIG')) return error.message;
    throw error;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('resolveConfig defaults', () => {
  it('with no input runs mqtt 1883, ws 8080 /mqtt and http 9090, nothing on TLS', () => {
    const config = resolveConfig();
    expect(config.listeners).toEqual({
      mqtt: [{ host: '0.0.0.0', port: 1883, payload: 'envelope' }],
      mqtts: [],
      ws: [{ host: '0.0.0.0', port: 8080, payload: 'envelope', path: '/mqtt' }],
      wss: [],
      http: [{ host: '0.0.0.0', port: 9090, payload: 'envelope' }],
    });
    expect(config.anonymous).toEqual({ read: ['#', '$SYS/#', '$firehose/#'], write: [], deny: [] });
    expect(config.accounts).toEqual({});
    expect(config.validation).toEqual({
      enabled: true,
      undeclared: 'allow',
      invalidExcerptBytes: 1024,
      details: { readers: [], publisher: false },
      services: {},
    });
    expect(config.persistence).toEqual({ kind: 'memory' });
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.trustProxy).toEqual({ forwardedFor: false, proxyProtocol: false });
    expect(config.catalogue).toEqual({ files: [], builtin: true, interval: 5 });
    expect(config.sys).toEqual({ interval: 10 });
    expect(config.log).toEqual({ level: 'info' });
  });

  it('with a listeners section runs only the listeners it names (the tests’ port-0 shape)', () => {
    const config = resolveConfig({
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0 } },
    });
    expect(config.listeners.mqtt).toEqual([{ host: '127.0.0.1', port: 0, payload: 'envelope' }]);
    expect(config.listeners.ws).toEqual([{ host: '127.0.0.1', port: 0, payload: 'envelope', path: '/mqtt' }]);
    expect(config.listeners.http).toEqual([]);
  });

  it('accepts lists of listeners, payload: data, null (on with defaults), false and enabled: false (off)', () => {
    const config = resolveConfig({
      listeners: {
        mqtt: [{ port: 1883 }, { port: 1884, payload: 'data' }],
        ws: null as never,
        http: false,
        mqtts: { enabled: false },
      },
    });
    expect(config.listeners.mqtt.map((l) => [l.port, l.payload])).toEqual([
      [1883, 'envelope'],
      [1884, 'data'],
    ]);
    expect(config.listeners.ws).toHaveLength(1);
    expect(config.listeners.http).toEqual([]);
    expect(config.listeners.mqtts).toEqual([]);
  });

  it('normalizes accounts: one hash or several, write/read lists, reserved client ids, payload', () => {
    const config = resolveConfig({
      listeners: {},
      accounts: {
        gerrit: { password: HASH, write: ['gerrit/#'] },
        zuul: { password: [HASH, HASH], clientIds: ['zuul-*'], payload: 'data' },
      },
    });
    expect(config.accounts.gerrit).toEqual({
      name: 'gerrit',
      passwords: [HASH],
      write: ['gerrit/#'],
      read: [],
      clientIds: ['gerrit', 'gerrit-*', 'gerrit/*'],
      payload: 'envelope',
    });
    expect(config.accounts.zuul?.passwords).toHaveLength(2);
    expect(config.accounts.zuul?.clientIds).toEqual(['zuul-*']);
    expect(config.accounts.zuul?.payload).toBe('data');
  });

  it('refuses an account payload other than envelope or data, naming the key', () => {
    expect(() => resolveConfig({ accounts: { zuul: { password: HASH, payload: 'raw' as never } } })).toThrow(
      /accounts\.zuul\.payload must be "envelope" or "data"/,
    );
  });

  it('parses persistence into a typed union', () => {
    expect(resolveConfig({ persistence: 'level:./data' }).persistence).toEqual({
      kind: 'level',
      path: './data',
    });
    expect(resolveConfig({ persistence: 'redis://:s3cret@127.0.0.1:6380/2' }).persistence).toEqual({
      kind: 'redis',
      url: 'redis://:s3cret@127.0.0.1:6380/2',
      host: '127.0.0.1',
      port: 6380,
      db: 2,
      password: 's3cret',
      tls: false,
    });
    expect(resolveConfig({ persistence: 'rediss://[::1]' }).persistence).toMatchObject({
      host: '::1',
      port: 6379,
      db: 0,
      tls: true,
    });
  });

  it('parses a Redis Sentinel set: sentinels (default port 26379, IPv6 in brackets), master name, db, credentials for the redis nodes', () => {
    expect(
      resolveConfig({ persistence: 'redis-sentinel://10.0.0.1:26380,[::1],sentinel-c/mymaster/3' })
        .persistence,
    ).toEqual({
      kind: 'redis',
      url: 'redis-sentinel://10.0.0.1:26380,[::1],sentinel-c/mymaster/3',
      sentinels: [
        { host: '10.0.0.1', port: 26380 },
        { host: '::1', port: 26379 },
        { host: 'sentinel-c', port: 26379 },
      ],
      name: 'mymaster',
      db: 3,
      tls: false,
    });
    expect(
      resolveConfig({ persistence: 'redis-sentinel://app:p%40ss@h1:26379/main' }).persistence,
    ).toMatchObject({
      username: 'app',
      password: 'p@ss',
      db: 0,
      name: 'main',
    });
  });

  it.each([
    [
      'redis-sentinel://h1:26379',
      'persistence needs the master name after the sentinels, e.g. "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster"',
    ],
    ['redis-sentinel://h1:26379/', 'persistence needs the master name after the sentinels'],
    [
      'redis-sentinel:///mymaster',
      'persistence has sentinel ""; each sentinel must be HOST or HOST:PORT (IPv6 in brackets)',
    ],
    ['redis-sentinel://h1,,h2/mymaster', 'persistence has sentinel ""'],
    ['redis-sentinel://h1:port/mymaster', 'persistence has sentinel "h1:port"'],
    [
      'redis-sentinel://h1:70000/mymaster',
      'persistence has sentinel "h1:70000" with port 70000; a port is 1–65535',
    ],
    [
      'redis-sentinel://h1/mymaster/db2',
      'persistence has path "/mymaster/db2"; after the sentinels write "/MASTER" or "/MASTER/DB" (DB a number)',
    ],
    ['redis-sentinel://h1/mymaster/2/x', 'persistence has path "/mymaster/2/x"'],
  ])('rejects the sentinel set %s with a sentence naming the setting', (persistence, message) => {
    expect(() => resolveConfig({ persistence })).toThrow(message);
  });

  it('redis.replicaWait: 1000 ms with Sentinel persistence, 0 with plain Redis or without Redis, as set otherwise', () => {
    const sentinel = 'redis-sentinel://10.0.0.1:26379/mymaster';
    expect(resolveConfig({ persistence: sentinel }).redis).toEqual({ replicaWait: 1000 });
    expect(resolveConfig({ persistence: sentinel, redis: { replicaWait: 0 } }).redis).toEqual({
      replicaWait: 0,
    });
    expect(resolveConfig({ persistence: 'redis://127.0.0.1:6379' }).redis).toEqual({ replicaWait: 0 });
    expect(
      resolveConfig({ persistence: 'redis://127.0.0.1:6379', redis: { replicaWait: 250 } }).redis,
    ).toEqual({
      replicaWait: 250,
    });
    expect(resolveConfig({}).redis).toEqual({ replicaWait: 0 });
    expect(resolveConfig({ redis: { replicaWait: 0 } }).redis).toEqual({ replicaWait: 0 });
  });

  it('a section left empty in YAML (null) reads as absent; an empty account does not', () => {
    const config = resolveConfig({
      accounts: null,
      limits: null,
      trustProxy: null,
      validation: { services: null },
    } as never);
    expect(config.accounts).toEqual({});
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.trustProxy).toEqual({ forwardedFor: false, proxyProtocol: false });
    expect(() => resolveConfig({ accounts: { gerrit: null } } as never)).toThrow(
      'accounts.gerrit must be an object, got null',
    );
    expect(() => resolveConfig({ listeners: { mqtt: { port: null } } } as never)).toThrow(
      'listeners.mqtt.port must be an integer 0–65535, got null',
    );
  });

  it('nobody reads invalid details unless validation.details says so', () => {
    expect(resolveConfig({}).validation.details).toEqual({ readers: [], publisher: false });
    const config = resolveConfig({
      accounts: { ops: { password: HASH } },
      validation: { details: { readers: ['ops'], publisher: true } },
    });
    expect(config.validation.details).toEqual({ readers: ['ops'], publisher: true });
  });

  it('trustProxy: true means X-Forwarded-For only', () => {
    expect(resolveConfig({ trustProxy: true }).trustProxy).toEqual({
      forwardedFor: true,
      proxyProtocol: false,
    });
    expect(resolveConfig({ trustProxy: { proxyProtocol: true } }).trustProxy).toEqual({
      forwardedFor: false,
      proxyProtocol: true,
    });
  });
});

describe('resolveConfig errors', () => {
  it.each<[string, unknown, string]>([
    [
      'a bad port',
      { listeners: { mqtt: { port: 'abc' } } },
      'listeners.mqtt.port must be an integer 0–65535, got "abc"',
    ],
    [
      'a port out of range',
      { listeners: { mqtt: { port: 70000 } } },
      'listeners.mqtt.port must be an integer 0–65535, got 70000',
    ],
    [
      'a bad port in a list',
      { listeners: { mqtt: [{}, { port: -1 }] } },
      'listeners.mqtt[1].port must be an integer 0–65535, got -1',
    ],
    ['an unknown top-level key', { listner: {} }, 'listner is not a config key (did you mean listeners?)'],
    [
      'an unknown listener',
      { listeners: { mqttt: {} } },
      'listeners.mqttt is not a config key (did you mean listeners.mqtt?)',
    ],
    [
      'an unknown limit',
      { limits: { maxPacketSize: 1 } },
      'limits.maxPacketSize is not a config key (did you mean limits.maxPacketBytes?)',
    ],
    [
      'payload on http',
      { listeners: { http: { payload: 'data' } } },
      'listeners.http.payload is not a config key',
    ],
    [
      'a bad payload',
      { listeners: { mqtt: { payload: 'raw' } } },
      'listeners.mqtt.payload must be "envelope" or "data", got "raw"',
    ],
    [
      'a ws path without /',
      { listeners: { ws: { path: 'mqtt' } } },
      'listeners.ws.path must be a URL path starting with "/", got "mqtt"',
    ],
    [
      'mqtts without cert and key',
      { listeners: { mqtts: { port: 8883 } } },
      'listeners.mqtts.cert is required',
    ],
    [
      'an empty listener list',
      { listeners: { mqtt: [] } },
      'listeners.mqtt must list at least one listener (or be false to turn it off), got an empty list',
    ],
    [
      'two listeners on one port',
      { listeners: { mqtt: { port: 1883 }, ws: { port: 1883 } } },
      'listeners.ws uses 0.0.0.0:1883, already used by listeners.mqtt',
    ],
    [
      'a plain password',
      { accounts: { gerrit: { password: 'hunter2' } } },
      'accounts.gerrit.password must be a scrypt hash from hashPassword() ("scrypt$N$r$p$salt$hash") or a list of them, got something else (plain passwords are not accepted: hash them with `firehose passwd` or hashPassword())',
    ],
    [
      'a missing password',
      { accounts: { gerrit: { write: ['gerrit/#'] } } },
      'accounts.gerrit.password is required',
    ],
    [
      'write as a string',
      { accounts: { gerrit: { password: HASH, write: 'gerrit/#' } } },
      'accounts.gerrit.write must be a list of MQTT topic filters, got "gerrit/#"',
    ],
    [
      'a bad filter',
      { anonymous: { read: ['#', 'a/#/b'] } },
      'anonymous.read[1]: Invalid topic filter "a/#/b": \'#\' must be a whole level and the last one',
    ],
    [
      'a bad undeclared',
      { validation: { undeclared: 'drop' } },
      'validation.undeclared must be "allow" or "reject", got "drop"',
    ],
    [
      'a bad persistence',
      { persistence: 'mongo://x' },
      'persistence must be "memory", "level:DIR", "redis://HOST:PORT[/DB]" or "redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTER[/DB]", got "mongo://x"',
    ],
    ['level without a directory', { persistence: 'level:' }, 'persistence needs a directory after "level:"'],
    [
      'a negative limit',
      { limits: { maxConnections: 0 } },
      'limits.maxConnections must be an integer ≥ 1, got 0',
    ],
    ['a float limit', { limits: { inflight: 1.5 } }, 'limits.inflight must be an integer ≥ 1, got 1.5'],
    [
      'soft above hard',
      { limits: { queueSoftBytes: 9_000_000 } },
      'limits.queueSoftBytes (9000000) must not exceed limits.queueHardBytes (8388608)',
    ],
    [
      'keepalive min above max',
      { limits: { keepaliveMin: 100, keepaliveMax: 60 } },
      'limits.keepaliveMin (100) must not exceed limits.keepaliveMax (60)',
    ],
    [
      'a history.postgres that is not a PostgreSQL URL',
      { persistence: 'redis://127.0.0.1:6379', history: { postgres: 'mysql://u:secret@db/x' } },
      'history.postgres must be a PostgreSQL URL (postgres://user:password@host:5432/database), got something else',
    ],
    [
      'a history.postgres without Redis persistence',
      { history: { postgres: 'postgres://u:secret@db/x' } },
      'history.postgres is the deep archive of a Redis cluster and needs persistence redis://… or redis-sentinel://…; a single node keeps its archive in history.path',
    ],
    [
      'a redis.replicaWait without Redis persistence',
      { persistence: 'level:/tmp/x', redis: { replicaWait: 500 } },
      'redis.replicaWait waits for a Redis replica and needs persistence redis://… or redis-sentinel://…; set it to 0 or remove it',
    ],
    [
      'a redis.replicaWait out of range',
      { persistence: 'redis://127.0.0.1:6379', redis: { replicaWait: -1 } },
      'redis.replicaWait must be an integer 0–60000 (milliseconds), got -1',
    ],
    [
      'a history.stream.maxLen below its range',
      { history: { stream: { maxLen: 10 } } },
      'history.stream.maxLen must be an integer 1000–1000000000, got 10',
    ],
    [
      'a bad log level',
      { log: { level: 'verbose' } },
      'log.level must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "verbose"',
    ],
    ['a bad trustProxy', { trustProxy: 'yes' }, 'trustProxy must be true, false or an object, got "yes"'],
    ['a non-object root', 42, 'the config must be an object (a YAML mapping), got 42'],
    [
      'a bad client-id pattern',
      { accounts: { a: { password: HASH, clientIds: ['a*b'] } } },
      'accounts.a.clientIds must be a list of client ids, each exact or a prefix ending in "*", got a list (["a*b"]) (item 0 is not a client id or a prefix ending in "*")',
    ],
    [
      'an invalid-details reader that is not an account',
      { accounts: { ops: { password: HASH } }, validation: { details: { readers: ['ops', 'opz'] } } },
      'validation.details.readers[1] names "opz", which is not an account; add it under accounts or remove it',
    ],
    [
      'invalid-details readers as a string',
      { validation: { details: { readers: 'ops' } } },
      'validation.details.readers must be a list of account names, got "ops"',
    ],
  ])('%s', (_, input, message) => {
    expect(problemOf(input)).toContain(message);
  });

  it('reports every problem at once, with the first one as the error path', () => {
    let caught: unknown;
    try {
      resolveConfig({ listeners: { mqtt: { port: 'abc' as never } }, limits: { inflight: 0 } });
    } catch (error) {
      caught = error;
    }
    expect(isFirehoseError(caught, 'INVALID_CONFIG')).toBe(true);
    expect((caught as Error).message).toBe(
      'Invalid broker config (2 problems): listeners.mqtt.port must be an integer 0–65535, got "abc"; limits.inflight must be an integer ≥ 1, got 0.',
    );
    expect((caught as { path?: string }).path).toBe('listeners.mqtt.port');
  });

  it('names the source when given', () => {
    expect(() => resolveConfig({ limits: { inflight: 0 } }, { source: 'firehose.yaml' })).toThrow(
      'Invalid broker config in firehose.yaml: limits.inflight must be an integer ≥ 1, got 0.',
    );
  });

  it('never echoes a password', () => {
    expect(problemOf({ accounts: { gerrit: { password: 'hunter2' } } })).not.toContain('hunter2');
  });
});
