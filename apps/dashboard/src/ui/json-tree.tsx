import { jsonPath } from '../model/json-path.js';

export interface JsonTreeProps {
  readonly value: unknown;
  readonly selectedPath: string | undefined;
  readonly onSelectPath: (path: string) => void;
}

/** A collapsible JSON tree; activating a key selects its JSONPath for copying. */
export function JsonTree(props: JsonTreeProps) {
  return (
    <div class="json-tree" role="group" aria-label="Event JSON">
      <JsonNode name={undefined} path={[]} depth={0} {...props} />
    </div>
  );
}

interface NodeProps extends JsonTreeProps {
  readonly name: string | number | undefined;
  readonly path: (string | number)[];
  readonly depth: number;
}

function JsonNode({ name, value, path, depth, selectedPath, onSelectPath }: NodeProps) {
  const pathText = jsonPath(path);
  const label =
    name === undefined ? null : (
      <button
        type="button"
        class={`json-key${selectedPath === pathText ? ' selected' : ''}`}
        aria-label={`Select path ${pathText}`}
        aria-pressed={selectedPath === pathText}
        onClick={() => onSelectPath(pathText)}
      >
        {typeof name === 'number' ? `[${name}]` : name}
      </button>
    );
  if (value !== null && typeof value === 'object') {
    const children: (readonly [string | number, unknown])[] = Array.isArray(value)
      ? (value as unknown[]).map((child, index) => [index, child] as const)
      : Object.entries(value as Record<string, unknown>);
    const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return (
      <details class="json-node" open={depth < 3}>
        <summary>
          {label}
          {label && ': '}
          <span class="muted">
            {brackets[0]}
            {children.length} {Array.isArray(value) ? 'items' : 'keys'}
            {brackets[1]}
          </span>
        </summary>
        <div class="json-children">
          {children.map(([key, child]) => (
            <JsonNode
              key={String(key)}
              name={key}
              value={child}
              path={[...path, key]}
              depth={depth + 1}
              selectedPath={selectedPath}
              onSelectPath={onSelectPath}
            />
          ))}
        </div>
      </details>
    );
  }
  return (
    <div class="json-leaf">
      {label}
      {label && ': '}
      <span class={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
    </div>
  );
}
