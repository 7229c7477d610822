// The `firehose` command; bin.ts loads it once the Node version is known to be supported.
import { loadEnv } from './env.js';
import { ExitCode } from './exit-codes.js';
import { runCli } from './run-cli.js';
import { UsageError } from './usage-error.js';

// First SIGINT/SIGTERM asks the running command to stop cleanly (flush, disconnect, print a
// summary); a second one means the user is done waiting, so exit at once.
const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals += 1;
  if (signals === 1) {
    controller.abort(signal);
    return;
  }
  process.stderr.write(`firehose: second ${signal}, exiting without cleanup.\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// `firehose tail | head -1` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  throw error;
});

let code: number;
try {
  const env = loadEnv();
  code = await runCli(process.argv.slice(2), env, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`firehose: ${error.message}\n`);
  code = ExitCode.usage;
}
// Exit explicitly: a library timer or socket left open must not keep a finished command alive.
// Wait for stdout to drain first so piped output is never cut short.
process.stdout.write('', () => process.exit(code));
