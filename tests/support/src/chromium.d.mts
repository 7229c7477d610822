// Types for chromium.mjs, which stays plain JavaScript so that Node scripts (the dashboard's bench and
// screenshot) import it without a build.

export interface ChromiumLaunchOptions {
  executablePath: string;
  args: string[];
}

/**
 * Options for playwright-core's `chromium.launch()`: Debian's Chromium (`scripts/provision.mjs` installs it;
 * CHROMIUM_PATH overrides), headless, without sandbox, GPU or background traffic.
 * Throws a message saying how to install it when it is missing.
 */
export function chromiumLaunchOptions(options?: {
  /** A Chromium to use instead of the one `systemProgram('chromium')` finds. */
  executablePath?: string;
}): ChromiumLaunchOptions;
