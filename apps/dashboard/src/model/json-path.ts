const identifier = /^[A-Za-z_$][\w$]*$/;

/** A JSONPath for a key path: `$.data.change.number`, `$.data.approvals[0].value`, `$["odd key"]`. */
export function jsonPath(segments: readonly (string | number)[]): string {
  let path = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (identifier.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
