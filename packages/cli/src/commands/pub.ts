import { readFile } from 'node:fs/promises';
import { FirehoseError, isFirehoseError } from '@firehose/protocol';
import type { FirehoseClient } from '@firehose/client';
import { brokerUrl, connectOnce, credentials } from '../broker-connection.js';
import type { CommandContext, CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { BUILT_IN, learnServices, unknownService, type KnownServices } from '../known-services.js';
import { UndeclaredTopic, preparePublish, type PreparedMessage } from '../prepare-publish.js';
import { readAll } from '../read-secret.js';
import { parseParams } from '../subscription-filters.js';
import { TimeoutExpired, UsageError } from '../usage-error.js';

const MAX_ERRORS_SHOWN = 20;

export const implementation: CommandImplementation = {
  async run(context) {
    const { args, stdin, stdout, stderr } = context;
    const positionals = [...args.positionals];
    const flags = readTopicFlags(args);
    // `pub - < records.ndjson`: every line carries its own topic ({topic, event} records).
    const givenTopic =
      flags !== undefined || (positionals.length === 1 && positionals[0] === '-')
        ? undefined
        : positionals.shift();
    const dataArgument = positionals.shift();
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'.`);
    const file = args.string('file');
    if (file !== undefined && dataArgument !== undefined)
      throw new UsageError('give data either as an argument or with --file, not both.');
    const qos = Number(args.choice('qos', ['0', '1', '2'], '1')) as 0 | 1 | 2;
    const timeout = args.duration('timeout');
    const dryRun = args.boolean('dry-run');

    let inputs: { value: unknown; origin: string }[];
    if (dataArgument === '-') inputs = parseNdjson(await readAll(stdin), 'stdin');
    else if (dataArgument !== undefined)
      inputs = [{ value: parseJson(dataArgument, 'argument'), origin: 'argument' }];
    else if (file !== undefined) inputs = parseDocumentOrNdjson(await readText(file), file);
    else
      throw new UsageError(
        "missing data: give JSON as an argument, '-' for NDJSON on stdin, or --file FILE.",
      );
    if (inputs.length === 0) throw new UsageError('no events in the input.');

    const prepareAll = (known: KnownServices): Prepared => {
      const topic = flags === undefined ? givenTopic : topicFromFlags(flags, known);
      const result: Prepared = { messages: [], errors: [], undeclared: false };
      for (const input of inputs) {
        try {
          const message = preparePublish({
            topic,
            value: input.value,
            origin: input.origin,
            source: args.string('source'),
            catalogue: known.catalogue,
          });
          result.messages.push(message);
          if (message.undeclared) result.undeclared = true;
        } catch (error) {
          if (!isFirehoseError(error)) throw error;
          if (error instanceof UndeclaredTopic) result.undeclared = true;
          result.errors.push(error.message);
        }
      }
      return result;
    };
    // The built-in services first, without the network (a dry run of gerrit events needs no
    // broker); a service or topic they do not declare may be one of the site's own, which the
    // broker publishes on $firehose/services: learn them, then prepare everything again.
    const flagsNeedBroker = flags !== undefined && BUILT_IN.catalogue.getService(flags.service) === undefined;
    let prepared = flagsNeedBroker ? undefined : prepareAll(BUILT_IN);

    const url = brokerUrl(context);
    let sent = 0;
    // One deadline for connecting, learning the site's services and publishing: a broker that
    // accepts TCP but never answers must not hang a script.
    let expire: (error: Error) => void = () => undefined;
    const expired = new Promise<never>((_, reject) => (expire = reject));
    expired.catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const startTimer = (): void => {
      if (timeout === undefined || timer !== undefined) return;
      timer = setTimeout(
        () =>
          expire(
            new TimeoutExpired(
              `--timeout ${args.string('timeout') ?? ''} expired after publishing ${sent} of ${prepared?.messages.length ?? inputs.length}; the rest may not have reached the broker.`,
            ),
          ),
        timeout,
      );
    };
    const stopTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
    };
    const open = async (): Promise<FirehoseClient> => {
      startTimer();
      const connecting = connectOnce(url, await credentials(context));
      try {
        return await Promise.race([connecting, expired]);
      } catch (error) {
        stopTimer();
        // Still connecting when the timeout fired: close the client once it shows up.
        connecting.then((late) => late.close()).catch(() => undefined);
        throw error;
      }
    };

    let client: FirehoseClient | undefined;
    /** Prepares everything again with the broker's services; keeps the client open to publish. */
    const withSiteServices = async (first: Prepared | undefined): Promise<Prepared> => {
      let learning: FirehoseClient;
      try {
        learning = await open();
      } catch (error) {
        if (!dryRun || !isFirehoseError(error) || error.code !== 'CONNECTION_FAILED') throw error;
        // A dry run of an envelope on an undeclared topic needed no broker before: still none.
        if (first !== undefined && first.errors.length === 0) {
          stderr.write(
            `firehose pub: warning: could not ask ${url} for its own services (${error.message}); checked against the built-in services only.\n`,
          );
          return first;
        }
        const what =
          first === undefined
            ? `--service ${flags?.service ?? ''} is not a built-in service`
            : 'a topic is declared by no built-in service';
        throw new FirehoseError(
          'CONNECTION_FAILED',
          `${what}, so pub asks the broker for the site's own services: ${error.message}`,
          { cause: error },
        );
      }
      let again: Prepared;
      try {
        const known = await Promise.race([
          learnServices(learning, url, (message) => stderr.write(`firehose pub: warning: ${message}\n`)),
          expired,
        ]);
        again = prepareAll(known);
      } catch (error) {
        stopTimer();
        await learning.close().catch(() => undefined);
        throw error;
      }
      if (dryRun || again.errors.length > 0) {
        stopTimer();
        await learning.close().catch(() => undefined);
      } else client = learning;
      return again;
    };
    if (prepared === undefined || prepared.undeclared) prepared = await withSiteServices(prepared);
    const { messages, errors } = prepared;
    if (errors.length > 0) {
      stopTimer();
      for (const message of errors.slice(0, MAX_ERRORS_SHOWN)) stderr.write(`firehose pub: ${message}\n`);
      if (errors.length > MAX_ERRORS_SHOWN)
        stderr.write(`firehose pub: … and ${errors.length - MAX_ERRORS_SHOWN} more.\n`);
      stderr.write(`firehose pub: ${errors.length} of ${inputs.length} invalid; nothing was published.\n`);
      return ExitCode.error;
    }
    for (const message of messages) {
      if (message.undeclared)
        stderr.write(
          `firehose pub: warning: no service declares ${message.topic}; the broker will flag it.\n`,
        );
    }
    if (dryRun) {
      for (const message of messages)
        stdout.write(`${JSON.stringify({ topic: message.topic, event: message.event })}\n`);
      return ExitCode.ok;
    }

    client ??= await open();
    // A firehose broker disconnects a client that publishes outside its ACL; MQTT.js
    // would reconnect and wait out the publish timeout, so treat a dropped connection as the answer.
    let dropped: (error: Error) => void = () => undefined;
    const disconnected = new Promise<never>((_, reject) => (dropped = reject));
    disconnected.catch(() => undefined);
    client.on('state', (state) => {
      if (state !== 'reconnecting') return;
      const who = args.string('username') ?? context.env.username;
      dropped(
        new Error(
          who === undefined
            ? 'the broker closed the connection: anonymous clients may not publish there; use --username with a service account.'
            : `the broker closed the connection: account ${who} may not publish to that topic (check its write filters).`,
        ),
      );
    });
    try {
      for (const message of messages) {
        const publish = client.publishRaw(message.topic, JSON.stringify(message.event), {
          qos,
          retain: args.boolean('retain'),
        });
        await Promise.race([publish, disconnected, expired]);
        sent += 1;
        stdout.write(`published ${message.topic} ${message.event.id}\n`);
      }
    } catch (error) {
      if (error instanceof TimeoutExpired) throw error;
      // Validation passed, so this is the network or the ACL: say how far we got.
      const reason = isFirehoseError(error) || error instanceof Error ? error.message : String(error);
      stderr.write(`firehose pub: published ${sent} of ${messages.length}, then: ${reason}\n`);
      return ExitCode.error;
    } finally {
      stopTimer();
      await client.close().catch(() => undefined);
    }
    return ExitCode.ok;
  },
};

/** Every input prepared with one set of known services. */
interface Prepared {
  readonly messages: PreparedMessage[];
  readonly errors: string[];
  /** Some input's topic is declared by no known service (it may be one of the site's own). */
  undeclared: boolean;
}

/** `--service/--event` with their topic parameters, checked for pairing. */
interface TopicFlags {
  readonly service: string;
  readonly event: string;
  readonly params: Readonly<Record<string, string>>;
}

function readTopicFlags(args: CommandContext['args']): TopicFlags | undefined {
  const service = args.string('service');
  const event = args.string('event');
  const params = parseParams(args.strings('param'));
  const project = args.string('project');
  if (project !== undefined) params.project = project;
  if (service === undefined && event === undefined) {
    if (Object.keys(params).length > 0)
      throw new UsageError('--project and --param need --service and --event.');
    return undefined;
  }
  if (service === undefined || event === undefined)
    throw new UsageError('--service and --event go together.');
  return { service, event, params };
}

/** The topic `--service/--event/--project/--param` name, from the event type's topic template. */
function topicFromFlags({ service, event, params }: TopicFlags, known: KnownServices): string {
  const { catalogue } = known;
  const eventType = catalogue.getEventType(`${service}.${event}`);
  if (eventType === undefined) {
    if (catalogue.getService(service) === undefined) throw unknownService(service, known);
    const events = [
      ...new Set(
        catalogue.eventTypes
          .filter((candidate) => candidate.service === service)
          .map((candidate) => candidate.event),
      ),
    ];
    throw new UsageError(`no event type ${service}.${event}; ${service} events: ${events.join(', ')}.`);
  }
  try {
    return eventType.topic(params);
  } catch (error) {
    throw new UsageError(
      `${isFirehoseError(error) ? error.message : String(error)} (topic ${eventType.template.pattern})`,
    );
  }
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `${origin} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function parseNdjson(text: string, origin: string): { value: unknown; origin: string }[] {
  const inputs: { value: unknown; origin: string }[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${origin} line ${index + 1}`;
    inputs.push({ value: parseJson(line, where), origin: where });
  });
  return inputs;
}

function parseDocumentOrNdjson(text: string, origin: string): { value: unknown; origin: string }[] {
  try {
    return [{ value: JSON.parse(text) as unknown, origin }];
  } catch {
    return parseNdjson(text, origin);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
    );
  }
}
