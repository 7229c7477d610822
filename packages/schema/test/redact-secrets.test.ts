import {
  ansible,
  checkEvent,
  createServiceEvent,
  eventTypes,
  REDACTED_TEXT,
  redactSecrets,
  secretMarkers,
} from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { loadFixture } from './fixtures.js';

const SECRET = 'CANARY-no-log-password';

describe('redactSecrets', () => {
  it('knows the markers the catalogue declares', () => {
    expect(secretMarkers()).toEqual(['_ansible_no_log']);
    expect(secretMarkers(eventTypes.filter((t) => t.service === 'gerrit'))).toEqual([]);
  });

  it('replaces a no_log task result that its schema refuses, keeping everything else', () => {
    const fixture = loadFixture(ansible.taskResult);
    const event = createServiceEvent(ansible.taskResult, fixture.data as never);
    const data = {
      ...event.data,
      ansible_result: { _ansible_no_log: true, password: SECRET, changed: true },
    };
    const leaking = { ...event, data };
    expect(checkEvent(ansible.taskResult.topicFor(data as never), leaking).status).toBe('invalid');
    const redacted = redactSecrets(leaking) as typeof leaking;
    expect(JSON.stringify(redacted)).not.toContain(SECRET);
    expect(redacted.data.ansible_result).toEqual({ _ansible_no_log: true, censored: REDACTED_TEXT });
    expect({ ...redacted, data: { ...redacted.data, ansible_result: undefined } }).toEqual({
      ...leaking,
      data: { ...data, ansible_result: undefined },
    });
    // The input is not modified.
    expect(leaking.data.ansible_result.password).toBe(SECRET);
  });

  it('finds marked objects at any depth, in arrays, whatever the topic or event', () => {
    const loop = {
      results: [
        { item: 'a', changed: false },
        { item: 'b', _ansible_no_log: 'yes', token: SECRET },
      ],
    };
    const anywhere = { specversion: '1.0', data: { nested: [[loop]] } };
    expect(JSON.stringify(redactSecrets(anywhere))).not.toContain(SECRET);
    expect(JSON.stringify(redactSecrets(anywhere))).toContain('"item":"a"');
  });

  it('leaves values without marked objects alone (the same reference), and `false` is no mark', () => {
    const plain = { data: { ansible_result: { _ansible_no_log: false, msg: 'ok' } } };
    expect(redactSecrets(plain)).toBe(plain);
    expect(redactSecrets('text')).toBe('text');
    expect(redactSecrets(null)).toBe(null);
  });

  it('redacts what is nested too deep to walk instead of passing it through', () => {
    let deep: unknown = { _ansible_no_log: true, password: SECRET };
    for (let i = 0; i < 500; i++) deep = { next: deep };
    expect(JSON.stringify(redactSecrets(deep))).not.toContain(SECRET);
  });
});
