// Public API of @firehose/schema; its issue fills this in.
export const packageName = '@firehose/schema';
