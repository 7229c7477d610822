import { existsSync } from 'node:fs';

export interface ChromiumLaunchOptions {
  executablePath: string;
  args: string[];
}

/**
 * Options for playwright-core's `chromium.launch()`: Debian's Chromium (`.ci/run` installs it;
 * CHROMIUM_PATH overrides), headless, without sandbox, GPU or background traffic.
 * Throws a message saying how to install it when it is missing.
 */
export function chromiumLaunchOptions(): ChromiumLaunchOptions {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}: run \`apt-get install chromium\` or set CHROMIUM_PATH.`,
    );
  }
  return {
    executablePath,
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
