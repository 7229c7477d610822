import { createEvent } from '@firehose/protocol';
import { createServiceEvent, eventTypes, gerrit, render, zuul, type RenderSpec } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { compileRenderSpec } from '../src/render-spec.js';
import { loadFixture } from './fixtures.js';

const commentAdded = createServiceEvent(gerrit.commentAdded, loadFixture(gerrit.commentAdded).data as never);

describe('render', () => {
  it('renders a Gerrit vote', () => {
    expect(render(commentAdded)).toEqual({
      summary: 'openstack/nova #912345 "Fix race in scheduler": Ann Reviewer voted Code-Review+2',
      sentence: 'Ann Reviewer voted Code-Review+2 on openstack/nova #912345 "Fix race in scheduler"',
      url: 'https://review.opendev.org/c/openstack/nova/+/912345',
      actors: ['ann'],
      keys: { project: 'openstack/nova', change: '912345', patchset: '3' },
    });
  });

  it('falls back to the next template when a placeholder is empty', () => {
    const data = { ...commentAdded.data, approvals: [{ type: 'Code-Review', value: '0' }] };
    expect(render({ ...commentAdded, data }).summary).toBe(
      'openstack/nova #912345 "Fix race in scheduler": Ann Reviewer commented',
    );
    // Older Gerrit sends no oldValue: every non-zero vote is shown.
    const old = {
      ...commentAdded.data,
      approvals: [
        { type: 'Verified', value: '-1' },
        { type: 'Code-Review', value: '0' },
      ],
    };
    expect(render({ ...commentAdded, data: old }).sentence).toMatch(/^Ann Reviewer voted Verified-1 on /);
    const { name: _, ...noName } = commentAdded.data.author;
    expect(render({ ...commentAdded, data: { ...commentAdded.data, author: noName } }).summary).toMatch(
      /: ann voted Code-Review\+2$/,
    );
  });

  it('never shows an email address: username, else "unknown"', () => {
    const author = { email: 'ann.private@example.org' };
    const rendered = render({ ...commentAdded, data: { ...commentAdded.data, author } });
    expect(rendered.summary).toBe(
      'openstack/nova #912345 "Fix race in scheduler": unknown voted Code-Review+2',
    );
    expect(rendered.sentence).toMatch(/^unknown voted Code-Review\+2 on /);
    expect(rendered.actors).toEqual([]);
    expect(JSON.stringify(rendered)).not.toContain('ann.private');
    const withUsername = render({
      ...commentAdded,
      data: { ...commentAdded.data, author: { ...author, username: 'ann' } },
    });
    expect(withUsername.summary).toMatch(/: ann voted Code-Review\+2$/);
    expect(withUsername.actors).toEqual(['ann']);
    expect(JSON.stringify(withUsername)).not.toContain('ann.private');
  });

  it('renders Zuul results and correlation keys', () => {
    const event = createServiceEvent(zuul.report, loadFixture(zuul.report).data as never);
    expect(render(event)).toMatchObject({
      summary: 'openstack/check openstack/nova #912345: failure (1 of 2 builds failed: nova-live-migration)',
      keys: {
        project: 'openstack/nova',
        change: '912345',
        build: 'e5f4d3c2b1a09f8e7d6c5b4a39281706',
        pipeline: 'check',
      },
    });
  });

  it('renders a Zuul tag item (no branch, no change) by its ref', () => {
    const { change: _, patchset: __, ...data } = loadFixture(zuul.report).data;
    const tag = { ...data, pipeline: 'release', action: 'success', branch: '', ref: 'refs/tags/30.1.0' };
    expect(render(createServiceEvent(zuul.report, tag as never)).summary).toBe(
      'openstack/release openstack/nova refs/tags/30.1.0: success',
    );
  });

  it('renders every fixture with its own rules, without falling back', () => {
    for (const eventType of eventTypes) {
      const event = createServiceEvent(eventType, loadFixture(eventType).data as never);
      const rendered = render(event);
      expect(rendered.summary, eventType.type).not.toContain('{');
      expect(rendered.summary, eventType.type).not.toBe(eventType.type);
      expect(rendered.sentence, eventType.type).not.toMatch(/ sent /);
    }
  });

  it('has a generic fallback for undeclared types and malformed data', () => {
    const event = createEvent({
      source: 'https://ci.example.org',
      type: 'jenkins.build-finished',
      dataschema: 'urn:example:jenkins',
      subject: 'nova-unit/42',
      data: { anything: true },
    });
    expect(render(event)).toEqual({
      summary: 'nova-unit/42: jenkins.build-finished',
      sentence: 'https://ci.example.org sent jenkins.build-finished about nova-unit/42',
      actors: [],
      keys: {},
    });
    expect(render({ ...commentAdded, data: null }).summary).toBe(
      'openstack/nova/change/912345: gerrit.comment-added',
    );
    expect(render(null as never).summary).toBe('event');
  });

  it('rejects unknown formatters when rules are compiled', () => {
    const spec: RenderSpec = { summary: '{data.x|nope}', sentence: '' };
    expect(() => compileRenderSpec(spec)).toThrow(/unknown formatter "nope"/);
  });
});
