import { Type } from 'typebox';
import { defineEventType } from '../event-type.js';

const numberOrString = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 })]);

// Shaped after lpmqtt, which turned Launchpad bug mail into MQTT messages with hyphenated keys.
const bug = defineEventType({
  service: 'launchpad',
  event: 'bug',
  description: 'A Launchpad bug was reported, changed or commented on; `event-type` says which.',
  topic: 'launchpad/{project}/bug/{bug}',
  params: { project: 'project', bug: 'bug-number' },
  schema: Type.Object({
    project: Type.String({ minLength: 1 }),
    'bug-number': numberOrString,
    'event-type': Type.String({ description: 'e.g. bug-created, bug-updated, bug-comment' }),
    title: Type.Optional(Type.String()),
    'bug-reporter': Type.Optional(Type.String()),
    'bug-modifier': Type.Optional(Type.String()),
    commenters: Type.Optional(Type.Array(Type.String())),
    status: Type.Optional(Type.String()),
    importance: Type.Optional(Type.String()),
    assignee: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Array(Type.String())),
    body: Type.Optional(Type.String()),
  }),
  subject: '{project}/bug/{bug-number}',
  keys: { project: 'project', bug: 'bug-number', user: 'bug-modifier' },
  render: {
    summary: [
      '{data.project} bug #{data.bug-number} "{data.title}": {data.event-type} by {data.bug-modifier}',
      '{data.project} bug #{data.bug-number}: {data.event-type} by {data.bug-modifier}',
      '{data.project} bug #{data.bug-number}: {data.event-type}',
    ],
    sentence: [
      '{data.bug-modifier} changed {data.project} bug #{data.bug-number} "{data.title}" ({data.event-type})',
      '{data.project} bug #{data.bug-number} had a {data.event-type} event',
    ],
    url: 'https://bugs.launchpad.net/bugs/{data.bug-number}',
    actors: ['{data.bug-modifier}', '{data.bug-reporter}'],
    keys: { project: '{data.project}', bug: '{data.bug-number}' },
  },
});

/** Launchpad bug tracker events. */
export const launchpad = { bug } as const;
