import { describe, expect, it } from 'vitest';
import { coerceOption, setPath } from './coerce-option.js';
import { OPTIONS } from './options.js';
import { resolveConfig } from './resolve-config.js';
import { validateConfigInput } from './validate-input.js';

const HASH = 'scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==';
const PEM = '-----BEGIN X-----\n-----END X-----\n';

function inputWith(key: string, value: unknown): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const concrete = key.replace('<name>', 'svc');
  if (key.startsWith('accounts.')) setPath(input, 'accounts.svc.password', HASH);
  if (/^listeners\.(mqtts|wss)\./.test(key)) {
    const listener = key.split('.')[1]!;
    setPath(input, `listeners.${listener}.cert`, PEM);
    setPath(input, `listeners.${listener}.key`, PEM);
  }
  setPath(input, concrete, value);
  return input;
}

function get(config: unknown, key: string): unknown {
  let current = config;
  for (const part of key.replace('<name>', 'svc').split('.')) {
    if (Array.isArray(current)) current = current[0];
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

describe('every option in the table', () => {
  it.each(OPTIONS.map((o) => [o.key, o] as const))(
    '%s: a wrong type is reported under its own key',
    (key, spec) => {
      const problems = validateConfigInput(inputWith(key, { wrong: true }));
      expect(problems).toHaveLength(1);
      expect(problems[0]!.path).toBe(key.replace('<name>', 'svc'));
      expect(problems[0]!.message).toContain(`must be ${spec.expect}`);
    },
  );

  // redis.replicaWait's default depends on the persistence (resolve-config.test.ts checks it).
  const documented = OPTIONS.filter(
    (o) =>
      o.default !== '—' &&
      !o.key.endsWith('.enabled') &&
      o.key !== 'accounts.<name>.clientIds' &&
      o.key !== 'redis.replicaWait',
  );
  it.each(documented.map((o) => [o.key, o] as const))(
    '%s: the documented default is the real one',
    (key, spec) => {
      const listener = /^listeners\.(\w+)\./.exec(key)?.[1];
      const input =
        listener === undefined
          ? inputWith(key, undefined)
          : inputWith(`listeners.${listener}.host`, '0.0.0.0');
      const config = resolveConfig(input);
      const doc = spec.default === '(none)' ? [] : coerceOption(spec, spec.default);
      let actual = get(config, key);
      if (key === 'persistence') actual = (actual as { kind: string }).kind;
      expect(actual).toEqual(doc);
    },
  );
});
