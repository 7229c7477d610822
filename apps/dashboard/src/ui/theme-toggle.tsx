import { useState } from 'preact/hooks';
import { currentTheme, setTheme, type Theme } from './theme.js';

/** Light or dark; the choice is remembered in this browser, else the system's preference applies. */
export function ThemeToggle() {
  const [theme, setState] = useState<Theme>(currentTheme());
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      class="theme-toggle"
      aria-pressed={theme === 'dark'}
      onClick={() => {
        setTheme(next);
        setState(next);
      }}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'} </span>Dark theme
    </button>
  );
}
