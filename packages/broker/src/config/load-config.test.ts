import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFirehoseError } from '@firehose/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envToConfig } from './env-to-config.js';
import { flagsToConfig } from './flags-to-config.js';
import { loadConfig } from './load-config.js';

const HASH = 'scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

let dir: string;
const file = async (name: string, text: string): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};

async function messageOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!isFirehoseError(error, 'INVALID_CONFIG')) throw error;
  return error.message;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firehose-config-'));
  await file('cert.pem', PEM);
  await file('key.pem', PEM.replace(/CERTIFICATE/g, 'PRIVATE KEY'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('with nothing gives the defaults', async () => {
    const config = await loadConfig();
    expect(config.listeners.mqtt[0]?.port).toBe(1883);
    expect(config.listeners.ws[0]?.path).toBe('/mqtt');
    expect(config.listeners.http[0]?.port).toBe(9090);
  });

  it('reads the YAML file of docs/architecture.md#the-config-file, TLS paths relative to it', async () => {
    const path = await file(
      'firehose.yaml',
      `listeners:
  mqtt:  { host: 0.0.0.0, port: 1883 }
  mqtts: { port: 8883, cert: ./cert.pem, key: ./key.pem }
  ws:    { port: 8080, path: /mqtt }
  http:  { port: 9090 }
anonymous:
  read:  ["#", "$SYS/#", "$firehose/#"]
  write: []
  deny:  []
accounts:
  gerrit: { password: "${HASH}", write: ["gerrit/#"] }
  zuul:   { password: ["${HASH}", "${HASH}"], write: ["zuul/#"] }
validation:
  enabled: true
  undeclared: allow
  services: { ansible: { enabled: false } }
persistence: "level:./data"
limits: { maxPacketBytes: 262144, maxConnections: 10000, maxConnectionsPerIp: 100, queueSoftBytes: 1048576, queueHardBytes: 8388608, sessionExpiry: 86400 }
catalogue: { interval: 5 }
sys: { interval: 10 }
`,
    );
    const config = await loadConfig({ file: path });
    expect(config.listeners.mqtts).toEqual([
      {
        host: '0.0.0.0',
        port: 8883,
        payload: 'envelope',
        cert: join(dir, 'cert.pem'),
        key: join(dir, 'key.pem'),
      },
    ]);
    expect(config.listeners.wss).toEqual([]);
    expect(config.accounts.zuul?.passwords).toHaveLength(2);
    expect(config.validation.services).toEqual({ ansible: { enabled: false } });
    expect(config.persistence).toEqual({ kind: 'level', path: join(dir, 'data') });
  });

  it('YAML anchors, aliases and merge keys work (one TLS block for mqtts and wss)', async () => {
    const yaml = `listeners:
  mqtts: &tls { port: 8883, cert: ./cert.pem, key: ./key.pem }
  wss:
    <<: *tls
    port: 8443
`;
    const config = await loadConfig({ file: await file('merge.yaml', yaml) });
    expect(config.listeners.wss[0]).toMatchObject({ port: 8443, cert: join(dir, 'cert.pem'), path: '/mqtt' });
  });

  it('reads JSON by extension, and FIREHOSE_CONFIG when no file is given', async () => {
    const path = await file('c.json', JSON.stringify({ listeners: { mqtt: { port: 1999 } } }));
    expect((await loadConfig({ file: path })).listeners.mqtt[0]?.port).toBe(1999);
    expect((await loadConfig({ env: { FIREHOSE_CONFIG: path } })).listeners.mqtt[0]?.port).toBe(1999);
  });

  it('precedence: flags > env > file > defaults', async () => {
    const path = await file(
      'p.yaml',
      'listeners: { mqtt: { port: 1001 }, http: { port: 1002 } }\nlog: { level: warn }\n',
    );
    const env = {
      FIREHOSE_LISTENERS_MQTT_PORT: '2001',
      FIREHOSE_LOG_LEVEL: 'debug',
      FIREHOSE_LIMITS_INFLIGHT: '7',
    };
    const config = await loadConfig({ file: path, env, flags: flagsToConfig({ port: '3001' }) });
    expect(config.listeners.mqtt[0]?.port).toBe(3001); // flag
    expect(config.log.level).toBe('debug'); // env over file
    expect(config.limits.inflight).toBe(7); // env over default
    expect(config.listeners.http[0]?.port).toBe(1002); // file
    expect(config.listeners.ws).toEqual([]); // the file's listeners section names no ws
  });

  it('a flag changes one listener without turning the default set off', async () => {
    const config = await loadConfig({ flags: flagsToConfig({ port: 1884, 'ws-port': '0' }) });
    expect(config.listeners.mqtt[0]?.port).toBe(1884);
    expect(config.listeners.ws[0]?.port).toBe(0);
    expect(config.listeners.http[0]?.port).toBe(9090);
  });

  it('env sets the first of several listeners, and can turn one on or off', async () => {
    const path = await file(
      'l.yaml',
      'listeners:\n  mqtt: [{ port: 1883 }, { port: 1884, payload: data }]\n  ws: false\n',
    );
    const config = await loadConfig({
      file: path,
      env: {
        FIREHOSE_LISTENERS_MQTT_HOST: '127.0.0.1',
        FIREHOSE_LISTENERS_WS_PORT: '8081',
        FIREHOSE_LISTENERS_MQTT_ENABLED: 'true',
      },
    });
    expect(config.listeners.mqtt.map((l) => `${l.host}:${l.port}:${l.payload}`)).toEqual([
      '127.0.0.1:1883:envelope',
      '0.0.0.0:1884:data',
    ]);
    expect(config.listeners.ws[0]?.port).toBe(8081);
    const off = await loadConfig({ env: { FIREHOSE_LISTENERS_HTTP_ENABLED: 'false' } });
    expect(off.listeners.http).toEqual([]);
  });

  it('env lists are comma-separated; persistence parses', async () => {
    const config = await loadConfig({
      env: {
        FIREHOSE_ANONYMOUS_DENY: 'private/#, internal/#',
        FIREHOSE_PERSISTENCE: 'redis://127.0.0.1:6379/1',
      },
    });
    expect(config.anonymous.deny).toEqual(['private/#', 'internal/#']);
    expect(config.persistence).toMatchObject({ kind: 'redis', db: 1 });
  });

  it('history.postgres comes from the file, and FIREHOSE_HISTORY_POSTGRES wins over it', async () => {
    const path = await file(
      'postgres.yaml',
      "persistence: 'redis://127.0.0.1:6379/2'\nhistory: { enabled: true, postgres: 'postgres://firehose@db1/history' }\n",
    );
    expect((await loadConfig({ file: path })).history.postgres).toBe('postgres://firehose@db1/history');
    const env = { FIREHOSE_HISTORY_POSTGRES: 'postgresql://firehose:pw@db2:5433/history' };
    expect((await loadConfig({ file: path, env })).history.postgres).toBe(
      'postgresql://firehose:pw@db2:5433/history',
    );
  });

  it('ignores FIREHOSE_ variables that belong to other tools', () => {
    expect(envToConfig({ FIREHOSE_URL: 'mqtt://x', FIREHOSE_CONFIG: 'x.yaml', PATH: '/bin' })).toEqual({});
  });
});

describe('loadConfig errors name the key, the env var or the flag', () => {
  it.each<[string, string, string]>([
    [
      'bad.yaml',
      'listeners:\n  mqtt: { port: abc }\n',
      'listeners.mqtt.port must be an integer 0–65535, got "abc"',
    ],
    [
      'unknown.yaml',
      'limits:\n  maxPacketByte: 10\n',
      'limits.maxPacketByte is not a config key (did you mean limits.maxPacketBytes?)',
    ],
    [
      'dup.yaml',
      'sys: { interval: 1 }\nsys: { interval: 2 }\n',
      'is not valid YAML: Map keys must be unique',
    ],
    ['broken.json', '{ "sys": ', 'is not valid JSON'],
    ['x.toml', 'a = 1', 'name it *.yaml, *.yml or *.json'],
  ])('%s', async (name, text, expected) => {
    const path = await file(name, text);
    const message = await messageOf(loadConfig({ file: path }));
    expect(message).toContain(expected);
    if (name === 'bad.yaml') expect(message).toBe(`Invalid broker config in ${path}: ${expected}.`);
  });

  it('a missing config file', async () => {
    expect(await messageOf(loadConfig({ file: join(dir, 'nope.yaml') }))).toBe(
      `Cannot read config file ${join(dir, 'nope.yaml')}: it does not exist. Check the --config path.`,
    );
  });

  it('a missing or non-PEM TLS file', async () => {
    const path = await file('tls.yaml', 'listeners:\n  wss: { cert: ./missing.pem, key: ./tls.yaml }\n');
    const message = await messageOf(loadConfig({ file: path }));
    expect(message).toBe(
      `Invalid broker config (2 problems): listeners.wss.cert names ${join(dir, 'missing.pem')}, which cannot be read (no such file); ` +
        `listeners.wss.key names ${path}, which holds no PEM block ("-----BEGIN ...").`,
    );
  });

  it('a bad env var', async () => {
    expect(await messageOf(loadConfig({ env: { FIREHOSE_LISTENERS_MQTT_PORT: 'abc' } }))).toBe(
      'Invalid broker config in the environment: FIREHOSE_LISTENERS_MQTT_PORT must be an integer 0–65535, got "abc".',
    );
    expect(await messageOf(loadConfig({ env: { FIREHOSE_LIMITS_MAX_PACKETS: '1' } }))).toContain(
      'FIREHOSE_LIMITS_MAX_PACKETS is not a broker setting',
    );
    expect(await messageOf(loadConfig({ env: { FIREHOSE_ACCOUNTS_GERRIT_PASSWORD: 'x' } }))).toContain(
      'accounts are set in the config file only',
    );
    expect(await messageOf(loadConfig({ env: { FIREHOSE_VALIDATION_ENABLED: 'maybe' } }))).toContain(
      'FIREHOSE_VALIDATION_ENABLED must be true or false, got "maybe"',
    );
  });

  it('a bad flag', () => {
    expect(() => flagsToConfig({ port: 'abc' })).toThrow(
      'Invalid broker config in flags: --port must be an integer 0–65535, got "abc".',
    );
    expect(() => flagsToConfig({ logLevel: 'loud' })).toThrow('--log-level must be one of');
    expect(() => flagsToConfig({ persistence: 'disk' })).toThrow(
      '--persistence must be "memory", "level:DIR", "redis://HOST:PORT[/DB]" or "redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTER[/DB]", got "disk"',
    );
    // Flags that are not config keys are the CLI's business.
    expect(flagsToConfig({ config: 'x.yaml', 'print-config': true, help: true })).toEqual({});
  });

  it('invalid-details readers from the environment name accounts of the file', async () => {
    const path = await file('ops.yaml', `accounts:\n  ops: { password: "${HASH}" }\n`);
    const config = await loadConfig({
      file: path,
      env: { FIREHOSE_VALIDATION_DETAILS_READERS: 'ops', FIREHOSE_VALIDATION_DETAILS_PUBLISHER: 'yes' },
    });
    expect(config.validation.details).toEqual({ readers: ['ops'], publisher: true });
    expect(
      await messageOf(loadConfig({ file: path, env: { FIREHOSE_VALIDATION_DETAILS_READERS: 'ops,root' } })),
    ).toContain('validation.details.readers[1] names "root", which is not an account');
  });

  it('a flag that breaks a cross-field rule is reported on the merged config', async () => {
    const path = await file('q.yaml', 'limits: { queueHardBytes: 2048 }\n');
    expect(
      await messageOf(loadConfig({ file: path, env: { FIREHOSE_LIMITS_QUEUE_SOFT_BYTES: '4096' } })),
    ).toContain('limits.queueSoftBytes (4096) must not exceed limits.queueHardBytes (2048)');
  });

  it('catalogue files: relative to the config file, to the working directory from env and flags', async () => {
    const path = await file(
      'site.yaml',
      'catalogue:\n  files: [github.yaml, /etc/firehose/argocd.yaml]\n  builtin: false\n',
    );
    const fromFile = await loadConfig({ file: path });
    expect(fromFile.catalogue).toEqual({
      files: [join(dir, 'github.yaml'), '/etc/firehose/argocd.yaml'],
      builtin: false,
      interval: 5,
    });
    const fromEnv = await loadConfig({
      env: { FIREHOSE_CATALOGUE_FILES: 'a.yaml, b.json', FIREHOSE_CATALOGUE_BUILTIN: 'false' },
    });
    expect(fromEnv.catalogue.files).toEqual([join(process.cwd(), 'a.yaml'), join(process.cwd(), 'b.json')]);
    expect(fromEnv.catalogue.builtin).toBe(false);
    // A repeated --catalogue arrives as a list, and replaces the file's list (flags win).
    const flags = flagsToConfig({ catalogue: ['x.yaml', 'y.yaml'] });
    expect(flags).toEqual({ catalogue: { files: ['x.yaml', 'y.yaml'] } });
    const both = await loadConfig({ file: path, flags });
    expect(both.catalogue).toMatchObject({
      files: [join(process.cwd(), 'x.yaml'), join(process.cwd(), 'y.yaml')],
      builtin: false,
    });
    expect(flagsToConfig({ catalogue: 'one.yaml' })).toEqual({ catalogue: { files: ['one.yaml'] } });
    expect(() => flagsToConfig({ catalogue: [''] })).toThrow(
      '--catalogue must be a list of file paths, got a list ([""]) (item 0 is not a file path)',
    );
    expect(
      await messageOf(
        loadConfig({ file: await file('bad-cat.yaml', 'catalogue: { files: github.yaml }\n') }),
      ),
    ).toContain('catalogue.files must be a list of file paths, got "github.yaml"');
  });
});
