import type { CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { readSecret } from '../read-secret.js';
import { UsageError } from '../usage-error.js';

export const implementation: CommandImplementation = {
  async run({ args, stdin, stdout, stderr }) {
    const password = await readSecret({ stdin, stderr }, 'Password (not echoed): ', { fromStdin: true });
    if (password.length < 8)
      stderr.write('firehose passwd: warning: this password is shorter than 8 characters.\n');
    // Loaded here, not at the top: the registry imports every command module (commands.ts).
    const { hashPassword } = await import('@firehose/broker');
    const hash = await hashPassword(password);
    const account = args.string('account');
    if (account === undefined) {
      stdout.write(`${hash}\n`);
    } else {
      if (!/^[\w.-]+$/.test(account))
        throw new UsageError(`--account '${account}' must be letters, digits, '.', '_' or '-'.`);
      stdout.write(`accounts:\n  ${account}: { password: "${hash}", write: ["${account}/#"] }\n`);
    }
    return ExitCode.ok;
  },
};
