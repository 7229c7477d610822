import type { Command } from '../command.js';

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
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/passwd.js')).implementation.run(context),
};
