/**
 * PROXY protocol v1 and v2 headers (HAProxy's spec), read in front of MQTT on TCP listeners when
 * `trustProxy.proxyProtocol` is on, so per-IP limits see the client's address, not the balancer's.
 */
export type ProxyParse =
  | { state: 'incomplete' }
  | { state: 'invalid' }
  | { state: 'done'; ip: string | undefined; consumed: number };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V1_MAX = 107;

/** Parses a PROXY header at the start of `buffer`; `ip` is undefined for LOCAL/UNKNOWN. */
export function parseProxyHeader(buffer: Buffer): ProxyParse {
  if (buffer.length >= 1 && buffer[0] === 0x0d) {
    const signature = Math.min(buffer.length, 12);
    if (!buffer.subarray(0, signature).equals(V2_SIGNATURE.subarray(0, signature)))
      return { state: 'invalid' };
    if (buffer.length < 16) return { state: 'incomplete' };
    const versionCommand = buffer[12]!;
    if (versionCommand >> 4 !== 2) return { state: 'invalid' };
    const family = buffer[13]! >> 4;
    const length = buffer.readUInt16BE(14);
    if (buffer.length < 16 + length) return { state: 'incomplete' };
    const consumed = 16 + length;
    if ((versionCommand & 0x0f) === 0) return { state: 'done', ip: undefined, consumed }; // LOCAL
    if (family === 1 && length >= 12) {
      return { state: 'done', ip: [...buffer.subarray(16, 20)].join('.'), consumed };
    }
    if (family === 2 && length >= 36) {
      const groups: string[] = [];
      for (let i = 0; i < 8; i++) groups.push(buffer.readUInt16BE(16 + i * 2).toString(16));
      return { state: 'done', ip: groups.join(':'), consumed };
    }
    return { state: 'done', ip: undefined, consumed };
  }
  const prefix = Math.min(buffer.length, V1_PREFIX.length);
  if (!buffer.subarray(0, prefix).equals(V1_PREFIX.subarray(0, prefix))) return { state: 'invalid' };
  const end = buffer.indexOf('\r\n');
  if (end === -1) return buffer.length > V1_MAX ? { state: 'invalid' } : { state: 'incomplete' };
  const line = buffer.toString('latin1', 0, end);
  const parts = line.split(' ');
  if (parts[0] !== 'PROXY') return { state: 'invalid' };
  if (parts[1] === 'UNKNOWN') return { state: 'done', ip: undefined, consumed: end + 2 };
  if ((parts[1] !== 'TCP4' && parts[1] !== 'TCP6') || parts.length !== 6) return { state: 'invalid' };
  return { state: 'done', ip: parts[2], consumed: end + 2 };
}
