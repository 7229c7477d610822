import { Type } from 'typebox';

// Shapes from Gerrit's stream-events documentation ("JSON Data" / "Events"). Every object is open
// and most attributes optional: Gerrit documents that any field may be missing and adds new ones.

/** A Gerrit user: `name`, `email`, `username` — each may be missing. */
export const gerritAccount = Type.Object(
  {
    name: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    username: Type.Optional(Type.String()),
  },
  { description: 'A Gerrit user account.' },
);

export const gerritChange = Type.Object(
  {
    project: Type.String({ minLength: 1 }),
    branch: Type.String(),
    id: Type.Optional(Type.String()),
    number: Type.Integer({ minimum: 1 }),
    subject: Type.String(),
    owner: Type.Optional(gerritAccount),
    url: Type.Optional(Type.String()),
    commitMessage: Type.Optional(Type.String()),
    topic: Type.Optional(Type.String()),
    hashtags: Type.Optional(Type.Array(Type.String())),
    createdOn: Type.Optional(Type.Integer()),
    status: Type.Optional(Type.String({ description: 'NEW, MERGED or ABANDONED' })),
    private: Type.Optional(Type.Boolean()),
    wip: Type.Optional(Type.Boolean()),
  },
  { description: 'The change an event is about.' },
);

export const gerritPatchSet = Type.Object(
  {
    number: Type.Integer({ minimum: 1 }),
    revision: Type.String(),
    ref: Type.String(),
    parents: Type.Optional(Type.Array(Type.String())),
    uploader: Type.Optional(gerritAccount),
    author: Type.Optional(gerritAccount),
    createdOn: Type.Optional(Type.Integer()),
    kind: Type.Optional(Type.String()),
    sizeInsertions: Type.Optional(Type.Integer()),
    sizeDeletions: Type.Optional(Type.Integer()),
  },
  { description: 'A patch set of a change.' },
);

export const gerritApproval = Type.Object(
  {
    type: Type.String({ description: 'Label name, e.g. Code-Review.' }),
    description: Type.Optional(Type.String()),
    value: Type.String({ description: 'Vote as a string, e.g. "2" or "-1".' }),
    oldValue: Type.Optional(
      Type.String({ description: 'Previous vote; present when this event changed it.' }),
    ),
    grantedOn: Type.Optional(Type.Integer()),
    by: Type.Optional(gerritAccount),
  },
  { description: 'A vote on a label.' },
);

export const gerritRefUpdate = Type.Object(
  {
    oldRev: Type.String(),
    newRev: Type.String(),
    refName: Type.String(),
    project: Type.String({ minLength: 1 }),
  },
  { description: 'One ref update.' },
);

/** Fields every Gerrit event carries. `type` is checked against the topic by checkEvent. */
export function gerritBase<const E extends string>(event: E) {
  return {
    type: Type.Literal(event),
    eventCreatedOn: Type.Optional(Type.Integer({ description: 'Seconds since the epoch.' })),
  };
}
