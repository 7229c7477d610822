import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './defaults.js';
import { ENV_OPTIONS } from './env-to-config.js';
import { OPTIONS } from './options.js';
import { optionsTableMarkdown } from './options-table.js';

const README = new URL('../../README.md', import.meta.url);
const START =
  '<!-- options:start (generated from src/config/options.ts; UPDATE_DOCS=1 pnpm vitest run --project broker options-table) -->\n';
const END = '<!-- options:end -->';

describe('option table', () => {
  it('has one row per limit, and env names follow the FIREHOSE_<PATH> rule', () => {
    for (const name of Object.keys(DEFAULT_LIMITS))
      expect(OPTIONS.some((o) => o.key === `limits.${name}`)).toBe(true);
    expect(ENV_OPTIONS.get('FIREHOSE_LISTENERS_MQTT_PORT')?.key).toBe('listeners.mqtt.port');
    expect(ENV_OPTIONS.get('FIREHOSE_PERSISTENCE')?.key).toBe('persistence');
    expect(ENV_OPTIONS.get('FIREHOSE_LOG_LEVEL')?.key).toBe('log.level');
    expect(ENV_OPTIONS.get('FIREHOSE_LIMITS_MAX_PACKET_BYTES')?.key).toBe('limits.maxPacketBytes');
    expect(ENV_OPTIONS.get('FIREHOSE_TRUST_PROXY_FORWARDED_FOR')?.key).toBe('trustProxy.forwardedFor');
    expect(new Set(OPTIONS.map((o) => o.key)).size).toBe(OPTIONS.length);
  });

  it('the README table is the generated one', async () => {
    const text = await readFile(README, 'utf8');
    const table = optionsTableMarkdown();
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, 'README lacks the options markers').toBeGreaterThan(-1);
    const current = text.slice(start + START.length, end);
    if (current !== table && process.env.UPDATE_DOCS === '1') {
      await writeFile(README, text.slice(0, start + START.length) + table + text.slice(end));
      return;
    }
    expect(current, 'README option table is stale: rerun with UPDATE_DOCS=1').toBe(table);
  });
});
