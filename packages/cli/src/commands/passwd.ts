import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { readSecret } from '../read-secret.js';
import { UsageError } from '../usage-error.js';

export const passwdCommand: Command = {
  name: ['passwd'],
  summary: 'print a scrypt hash of a password for the broker config',
  usage: 'passwd [options]',
  examples: [
    { command: 'passwd', description: 'prompt for a password (not echoed) and print its hash' },
    {
      command: 'passwd --account gerrit < pw.txt',
      description: 'read the password from stdin and print a ready-to-paste accounts entry',
    },
  ],
  options: {
    account: {
      type: 'string',
      value: 'NAME',
      description: 'Print a YAML `accounts:` entry for this account instead of the bare hash.',
    },
  },
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
