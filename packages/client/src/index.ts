// Public API of @firehose/client; its issue fills this in.
export const packageName = '@firehose/client';
