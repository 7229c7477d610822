export type Theme = 'light' | 'dark';

/** Where the toggle's choice is remembered. */
const THEME_KEY = 'firehose-theme';

function stored(): Theme | undefined {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    // Storage can be blocked (privacy settings): the system preference still applies.
    return undefined;
  }
}

/** The theme in effect: the remembered choice, else `prefers-color-scheme`. */
export function currentTheme(): Theme {
  return stored() ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

/** Applies the remembered choice before the first paint (no flash of the other theme). */
export function applyStoredTheme(): void {
  const theme = stored();
  if (theme) document.documentElement.dataset.theme = theme;
}

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Not remembered, but applied for this page.
  }
}
