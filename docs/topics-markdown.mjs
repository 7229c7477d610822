// Renders the topic reference (docs/topics.md) from @firehose/schema's catalogue. Pure: takes the
// schema module, returns Markdown, so a test can check the committed file is current.

/** `a | b` cells must not break the table. */
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Required top-level fields of a JSON Schema object, with their types. */
function requiredFields(schema) {
  const required = Array.isArray(schema.required) ? schema.required : [];
  const properties = schema.properties ?? {};
  return required.map((name) => {
    const property = properties[name] ?? {};
    const type =
      property.const !== undefined
        ? JSON.stringify(property.const)
        : (property.type ??
          (property.anyOf
            ? property.anyOf
                .map((p) => (p.const !== undefined ? JSON.stringify(p.const) : p.type))
                .join(' or ')
            : 'any'));
    return `\`${name}\` (${Array.isArray(type) ? type.join(' or ') : type})`;
  });
}

/**
 * @param {{ services: readonly { name: string, description: string, source: string, eventTypes: readonly any[] }[] }} schema
 * @returns {string}
 */
export function renderTopicsMarkdown(schema) {
  const lines = [
    '# Topic reference',
    '',
    '<!-- Generated from @firehose/schema by `node docs/generate-topics.mjs`; do not edit by hand. -->',
    '',
    'Every topic the firehose declares, by service. `{project+}` spans one or more levels (`All-Projects`,',
    '`openstack/nova`, `x/ci/tools`); every other `{param}` is exactly one level, with `/`, `+`, `#`, `%`',
    'percent-encoded (`stable/2025.1` → `stable%2F2025.1`) and `-` standing for "no value". Payloads are',
    "CloudEvents envelopes whose `data` is the service's own event; the fields listed are the ones the",
    'schema requires — schemas are open, so expect more. `dataschema` names the schema major version.',
    '',
    'To receive one event type in every project, subscribe to one filter per project depth (the client',
    'SDK and `firehose tail --service … --event …` do this for you): e.g. `gerrit/+/comment-added`,',
    '`gerrit/+/+/comment-added`, `gerrit/+/+/+/comment-added`, `gerrit/+/+/+/+/comment-added`.',
    '',
  ];
  for (const service of schema.services) {
    lines.push(
      `## ${service.name}`,
      '',
      `${service.description} Default \`source\`: \`${service.source}\`. Everything: \`${service.name}/#\`.`,
      '',
    );
    lines.push('| type | topic | required `data` fields | description |', '|---|---|---|---|');
    for (const eventType of service.eventTypes) {
      const name = `\`${eventType.type}\` v${eventType.version}${eventType.deprecated ? ' (deprecated)' : ''}`;
      lines.push(
        `| ${name} | \`${cell(eventType.template.pattern)}\` | ${cell(requiredFields(eventType.schema).join(', '))} | ${cell(eventType.description)} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## Broker topics',
    '',
    '- `$SYS/#`: broker statistics (read-only).',
    '- `$firehose/#`: the catalogue of observed topics, alarms and `$firehose/invalid/<service>` validation records, without payload bytes (read-only); `$firehose/invalid-detail/#`, the excerpts of refused payloads, only for the accounts `validation.details` names.',
    '',
  );
  return lines.join('\n');
}
