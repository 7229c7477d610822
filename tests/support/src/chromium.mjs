// Plain JavaScript (types in chromium.d.mts) so that Node scripts such as the dashboard's load bench and
// screenshot import it as they are, beside the TypeScript suites.
import { systemProgram } from './system-programs.mjs';

/**
 * Options for playwright-core's `chromium.launch()`: Debian's Chromium (`scripts/provision.mjs` installs it;
 * CHROMIUM_PATH overrides), headless, without sandbox, GPU or background traffic.
 * Throws a message saying how to install it when it is missing.
 */
export function chromiumLaunchOptions({ executablePath } = {}) {
  return {
    executablePath: executablePath ?? systemProgram('chromium'),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
