import { join } from 'node:path';
import { temporaryDirectory } from '@firehose/test-support';
import { hashPassword, type BrokerConfigInput, type CreateBrokerOptions } from '../src/index.js';
import { startBroker } from './helpers.js';

const dir = temporaryDirectory('history');
let files = 0;

/** A fresh archive file path in this suite's temporary directory. */
export function archivePath(name = `h${++files}`): string {
  return join(dir, `${name}.sqlite`);
}

/**
 * A broker with history on (MQTT and HTTP on loopback): account `gerrit` (password `pw`) writes
 * `gerrit/#` and `site/#`, account `ops` (password `pw`) also reads `site/secret/#`, which
 * anonymous readers may not.
 */
export async function historyBroker(
  extra: BrokerConfigInput = {},
  path = archivePath(),
  options: CreateBrokerOptions = {},
) {
  const password = await hashPassword('pw');
  const broker = await startBroker(
    {
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
      accounts: {
        gerrit: { password, write: ['gerrit/#', 'site/#'] },
        ops: { password, read: ['site/secret/#'] },
      },
      anonymous: { read: ['#', '$SYS/#', '$firehose/#'], deny: ['site/secret/#'] },
      history: { enabled: true, path },
      sys: { interval: 0 },
      catalogue: { interval: 0 },
      ...extra,
    },
    options,
  );
  return { broker, path, http: broker.url('http')! };
}

export interface Page {
  events: { cursor: string; topic: string; event: { id: string; type: string; data: unknown } }[];
  next: string | null;
}

export async function getJson<T>(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}
