import { COMMAND_FLAGS } from './flags-to-config.js';
import { OPTIONS, type OptionKind } from './options.js';

function typeLabel(type: OptionKind): string {
  switch (type.kind) {
    case 'int':
      return type.max >= 2_147_483_647 ? `integer ≥ ${type.min}` : `integer ${type.min}–${type.max}`;
    case 'bool':
      return 'boolean';
    case 'enum':
      return type.values.map((v) => `\`${v}\``).join(' \\| ');
    case 'filters':
      return 'filter list';
    case 'client-ids':
    case 'account-names':
      return 'string list';
    case 'hashes':
      return 'hash or hash list';
    case 'paths':
      return 'path list';
    case 'string':
    case 'persistence':
    case 'ws-path':
    case 'pem':
    case 'postgres-url':
      return 'string';
  }
}

const code = (text: string | undefined): string => (text === undefined || text === '' ? '—' : `\`${text}\``);
const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's option table (markdown), generated from the option table so it cannot drift. */
export function optionsTableMarkdown(): string {
  const rows = [
    '| key | env var | flag | type | default | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...COMMAND_FLAGS.map(
      (f) =>
        `| — | ${code(f.env)} | \`--${f.flag}\` | ${f.env === undefined ? 'boolean' : 'path'} | — | ${f.meaning} |`,
    ),
    ...OPTIONS.map((o) => {
      const fallback =
        o.default === '—' || o.default.startsWith('(') || o.default.includes('`')
          ? o.default
          : code(o.default);
      return `| \`${o.key}\` | ${code(o.env)} | ${o.flag === undefined ? '—' : `\`--${o.flag}\``} | ${typeLabel(o.type)} | ${cell(fallback)} | ${cell(o.meaning)} |`;
    }),
  ];
  return `${rows.join('\n')}\n`;
}
