// Types for system-programs.mjs, which stays plain JavaScript so that scripts/provision.mjs runs with Node alone.
// (A hand-written declaration, like apps/dashboard/server.d.mts: the workspace's tsconfigs do not read JavaScript.)

/** One program a test suite starts, and where it comes from. */
export interface SystemProgramSpec {
  /** The name a suite asks `systemProgram()` for (usually the executable's name). */
  readonly program: string;
  /** The Debian package that provides it (what `apt-get install` takes). */
  readonly debianPackage: string;
  /** Which suites start it, for the message that says it is missing. */
  readonly usedBy: string;
  /**
   * Absolute paths looked at before `PATH`: where the Debian package puts it when that is off a user's `PATH`
   * (`/usr/sbin`, `/usr/lib/postgresql/15/bin`), or when the copy on `PATH` may be another one (a pyenv
   * `python3`). A `*` segment matches a version directory, highest first.
   * @default []
   */
  readonly locations?: readonly string[];
  /** A variable that names the executable; when set, it alone counts. @default none */
  readonly envOverride?: string;
  /** Arguments the program must exit 0 with (a Python module import). @default none */
  readonly probe?: readonly string[];
  /** How the message names it when `program` alone would mislead. @default program */
  readonly description?: string;
}

/** A `program` of SYSTEM_PROGRAMS; any other name throws (and tests/integration/provision.test.ts fails). */
export type SystemProgramName = string;

/** Where to look. */
export interface LookupOptions {
  /** Supplies `PATH` and override variables. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Prefixed to every fixed location, so a test can stand in for a bare machine. @default '/' */
  root?: string;
}

/** Every system program the test suites start: the one list provisioning installs from. */
export const SYSTEM_PROGRAMS: readonly SystemProgramSpec[];

/** How a message names a program. */
export function describeProgram(spec: SystemProgramSpec): string;

/** The absolute path of a program of the table, or `undefined` when it is missing (or fails its probe). */
export function findProgram(program: SystemProgramName, options?: LookupOptions): string | undefined;

/** The rows of the table whose program is missing. */
export function missingPrograms(options?: LookupOptions): SystemProgramSpec[];

/** The Debian command that installs the rows' packages; `sudo` unless `asRoot` (default: this process is root). */
export function installCommand(specs: readonly SystemProgramSpec[], options?: { asRoot?: boolean }): string;

/**
 * The absolute path of a system program a test starts; spawn that, never the bare name.
 * @throws {Error} a sentence naming the program, its Debian package and the command that installs it.
 */
export function systemProgram(program: SystemProgramName): string;
