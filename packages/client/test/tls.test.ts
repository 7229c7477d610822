import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFirehoseError } from '@firehose/protocol';
import { gerrit } from '@firehose/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentAdded, open, openPublisher, startBroker, waitFor } from './helpers.js';

let dir: string;
let cert: string;
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'firehose-client-tls-'));
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  // A self-signed certificate for 127.0.0.1: trusted only through the client's `tls.ca`.
  // prettier-ignore
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS', () => {
  it('connects over mqtts:// and wss:// with a custom CA, and refuses an untrusted certificate', async () => {
    const local = { host: '127.0.0.1', port: 0 };
    const broker = await startBroker({
      listeners: { mqtts: { ...local, cert, key }, wss: { ...local, cert, key } },
    });
    const ca = readFileSync(cert, 'utf8');
    const overTls = await open(broker.url('mqtts')!, { tls: { ca } });
    const overWss = await open(broker.url('wss')!, { tls: { ca } });
    const seen: string[] = [];
    await overTls.subscribe(gerrit.commentAdded, () => void seen.push('mqtts'));
    await overWss.subscribe(gerrit.commentAdded, () => void seen.push('wss'));
    const publisher = await openPublisher(broker.url('mqtts')!, { tls: { ca } });
    await publisher.publish('gerrit/openstack/nova/comment-added', commentAdded(1));
    await waitFor(() => seen.length === 2);
    expect(seen.sort()).toEqual(['mqtts', 'wss']);
    const untrusted: unknown = await open(broker.url('mqtts')!, { connectTimeout: 3000 }).catch(
      (e: unknown) => e,
    );
    expect(isFirehoseError(untrusted, 'CONNECTION_FAILED')).toBe(true);
    expect((untrusted as Error).message).toContain('tls.ca');
  });
});
