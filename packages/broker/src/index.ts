// Public API of @firehose/broker; its issue fills this in.
export const packageName = '@firehose/broker';
