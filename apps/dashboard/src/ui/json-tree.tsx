import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
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
      <JsonBranch
        label={label}
        depth={depth}
        count={children.length}
        isArray={Array.isArray(value)}
        brackets={brackets}
      >
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
      </JsonBranch>
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

interface BranchProps {
  readonly label: ComponentChildren;
  readonly depth: number;
  readonly count: number;
  readonly isArray: boolean;
  readonly brackets: string[];
  readonly children: ComponentChildren;
}

/**
 * An object or array: its key (a button that selects the path) beside a separate expand button.
 * Not a <details>: a button inside its <summary> would be a control nested in a control.
 */
function JsonBranch({ label, depth, count, isArray, brackets, children }: BranchProps) {
  const [open, setOpen] = useState(depth < 3);
  return (
    <div class="json-node" data-open={open ? '' : undefined}>
      {label}
      {label && ': '}
      <button type="button" class="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? '▾' : '▸'} </span>
        {brackets[0]}
        {count} {isArray ? 'items' : 'keys'}
        {brackets[1]}
      </button>
      {open && <div class="json-children">{children}</div>}
    </div>
  );
}
