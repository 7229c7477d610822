// Public API of @firehose/cli; its issue fills this in.
export const packageName = '@firehose/cli';
