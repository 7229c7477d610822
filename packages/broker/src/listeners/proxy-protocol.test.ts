import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from './proxy-protocol.js';

const V2 = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

describe('parseProxyHeader', () => {
  it('reads v1 TCP4/TCP6/UNKNOWN lines and what follows them', () => {
    const mqtt = Buffer.from([0x10, 0x00]);
    const v1 = Buffer.concat([Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 5555 1883\r\n'), mqtt]);
    expect(parseProxyHeader(v1)).toEqual({ state: 'done', ip: '203.0.113.7', consumed: v1.length - 2 });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 ::1 1 2\r\n'))).toMatchObject({
      ip: '2001:db8::1',
    });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toMatchObject({
      state: 'done',
      ip: undefined,
    });
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 1.2'))).toEqual({ state: 'incomplete' });
    expect(parseProxyHeader(Buffer.from([0x10, 0x0c, 0x00]))).toEqual({ state: 'invalid' });
    expect(parseProxyHeader(Buffer.from(`PROXY ${'x'.repeat(120)}`))).toEqual({ state: 'invalid' });
  });

  it('reads v2 binary headers (PROXY over IPv4, LOCAL)', () => {
    const proxy = Buffer.from([
      ...V2,
      0x21,
      0x11,
      0x00,
      12,
      198,
      51,
      100,
      9,
      10,
      0,
      0,
      1,
      0x15,
      0xb3,
      0x07,
      0x5b,
    ]);
    expect(parseProxyHeader(proxy)).toEqual({ state: 'done', ip: '198.51.100.9', consumed: 28 });
    expect(parseProxyHeader(proxy.subarray(0, 20))).toEqual({ state: 'incomplete' });
    const local = Buffer.from([...V2, 0x20, 0x00, 0x00, 0x00]);
    expect(parseProxyHeader(local)).toEqual({ state: 'done', ip: undefined, consumed: 16 });
    expect(parseProxyHeader(Buffer.from([...V2.slice(0, 11), 0xff]))).toEqual({ state: 'invalid' });
  });
});
