import { services as builtinServices, type ServiceDefinition } from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { isCatalogueError } from '@firehose/schema/site';
import { brokerServices } from '../broker-services.js';
import type { CommandImplementation } from '../command.js';
import { checkBrokerUrl } from '../env.js';
import { ExitCode } from '../exit-codes.js';

export const implementation: CommandImplementation = {
  async run(context) {
    const { args, stdout, stderr } = context;
    const alongside: readonly ServiceDefinition[] = args.boolean('site-only') ? [] : builtinServices;
    const against = args.strings('against');
    // A value with a scheme is a broker; anything else a file (a Windows drive letter is one letter).
    const urls = against.filter((value) => /^[a-z][a-z0-9+.-]+:\/\//i.test(value));
    for (const url of urls) checkBrokerUrl(url, '--against');
    const files = against.filter((value) => !urls.includes(value));
    try {
      const running =
        against.length === 0
          ? undefined
          : [
              ...(files.length === 0 ? [] : await loadCatalogueFiles(files, { alongside })),
              ...(await Promise.all(urls.map((url) => brokerServices(url, context)))).flat(),
            ];
      const checked = await loadCatalogueFiles(args.positionals, {
        alongside,
        ...(running === undefined ? {} : { running }),
      });
      const types = checked.reduce((sum, service) => sum + service.eventTypes.length, 0);
      stdout.write(
        `ok: ${plural(args.positionals.length, 'file')}, ${plural(checked.length, 'service')}, ${plural(types, 'event type')}${
          running === undefined ? '' : `, no breaking change against ${againstSummary(files.length, urls)}`
        }\n`,
      );
      return ExitCode.ok;
    } catch (error) {
      if (!isCatalogueError(error)) throw error;
      stderr.write(`${error.message}\n`);
      return ExitCode.error;
    }
  },
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const againstSummary = (files: number, urls: readonly string[]): string =>
  [...(files === 0 ? [] : [plural(files, 'file')]), ...urls.map((url) => `the broker at ${url}`)].join(
    ' and ',
  );
