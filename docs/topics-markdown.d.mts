/** Renders docs/topics.md from @firehose/schema's catalogue. */
export function renderTopicsMarkdown(schema: {
  services: readonly { name: string; description: string; source: string; eventTypes: readonly unknown[] }[];
}): string;
