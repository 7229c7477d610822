import { systemProgram } from './system-programs.mjs';

export interface ChromiumLaunchOptions {
  executablePath: string;
  args: string[];
}

/**
 * Options for playwright-core's `chromium.launch()`: Debian's Chromium (`scripts/provision.mjs` installs it;
 * CHROMIUM_PATH overrides), headless, without sandbox, GPU or background traffic.
 * Throws a message saying how to install it when it is missing.
 */
export function chromiumLaunchOptions(): ChromiumLaunchOptions {
  return {
    executablePath: systemProgram('chromium'),
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
