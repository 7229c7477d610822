import { isFirehoseError } from '@firehose/protocol';
import { gerrit } from '@firehose/schema';
import { selfSignedCertificate } from '@firehose/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { commentAdded, open, openPublisher, startBroker, TOPIC, waitFor } from './helpers.js';

// A self-signed certificate for 127.0.0.1: trusted only through the client's `tls.ca`.
const { cert, key, ca, remove } = selfSignedCertificate();
afterAll(remove);

describe('TLS', () => {
  it('connects over mqtts:// and wss:// with a custom CA, and refuses an untrusted certificate', async () => {
    const local = { host: '127.0.0.1', port: 0 };
    const broker = await startBroker({
      listeners: { mqtts: { ...local, cert, key }, wss: { ...local, cert, key } },
    });
    const overTls = await open(broker.url('mqtts')!, { tls: { ca } });
    const overWss = await open(broker.url('wss')!, { tls: { ca } });
    const seen: string[] = [];
    await overTls.subscribe(gerrit.commentAdded, () => void seen.push('mqtts'));
    await overWss.subscribe(gerrit.commentAdded, () => void seen.push('wss'));
    const publisher = await openPublisher(broker.url('mqtts')!, { tls: { ca } });
    await publisher.publish(TOPIC, commentAdded(1));
    await waitFor(() => seen.length === 2);
    expect(seen.sort()).toEqual(['mqtts', 'wss']);
    const untrusted: unknown = await open(broker.url('mqtts')!, { connectTimeout: 3000 }).catch(
      (e: unknown) => e,
    );
    expect(isFirehoseError(untrusted, 'CONNECTION_FAILED')).toBe(true);
    expect((untrusted as Error).message).toContain('tls.ca');
  });
});
