/** Keys whose string values name a person in the services' payloads. */
const PERSON_KEYS = new Set(['name', 'username', 'email', 'user', 'login']);
/** Launchpad-style fields whose value is a person's username (`bug-reporter`, `assignee`, …). */
const PERSON_FIELDS =
  /(^|[-_])(reporter|modifier|assignee|owner|author|submitter|uploader|reviewer|commenters?|user)$/i;

/**
 * Every name, username and email a payload mentions (Gerrit accounts, Launchpad people, …), so a
 * "user" filter finds an event by whatever the row shows: "Burst Tester", "burst", or
 * "burst@example.org". Bounded: at most `limit` values, nesting at most 6 deep.
 */
export function peopleOf(data: unknown, limit = 64): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, key: string, depth: number): void => {
    if (found.size >= limit || depth > 6 || value === null || value === undefined) return;
    if (typeof value === 'string') {
      if (PERSON_KEYS.has(key) || PERSON_FIELDS.test(key)) found.add(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const element of value) visit(element, key, depth + 1);
      return;
    }
    if (typeof value === 'object') {
      for (const [child, nested] of Object.entries(value as Record<string, unknown>))
        visit(nested, child, depth + 1);
    }
  };
  visit(data, '', 0);
  return [...found];
}

/** Whether any person in the payload (name, username or email) contains `query`, case-insensitively. */
export function mentionsPerson(data: unknown, query: string): boolean {
  const wanted = query.trim().toLowerCase();
  if (wanted === '') return true;
  return peopleOf(data).some((person) => person.toLowerCase().includes(wanted));
}
