/** Words an ES module cannot export as a `const` (reserved, strict-mode reserved, or ours). */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if import in instanceof new null return super switch this throw true try typeof var void ' +
    'while with yield let static implements interface package private protected public await arguments eval ' +
    'services document'
  ).split(' '),
);

/** `pull-request` → `pullRequest`, `gearman-subunit` → `gearmanSubunit`: the built-ins' naming. */
export function camelName(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** `pull-request` → `PullRequest`, for type names. */
export function pascalName(name: string): string {
  const camel = camelName(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** Whether codegen can export a service under its camel-case name. */
export function exportable(name: string): boolean {
  return !RESERVED.has(camelName(name));
}
