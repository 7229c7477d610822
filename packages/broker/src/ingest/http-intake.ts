import type { IncomingMessage, ServerResponse } from 'node:http';
import { FirehoseError, type FirehoseEvent } from '@firehose/protocol';
import type { Catalogue as EventCatalogue, EventType, ServiceDefinition } from '@firehose/schema';
import type { Logger } from '../logger.js';
import type { BrokerStats } from '../stats.js';
import { readBody, TOO_LARGE } from './read-body.js';
import { selectorName, selectorValue } from './select-event.js';
import { verifySender } from './verify-sender.js';
import { wrapData } from './wrap-data.js';

/** Path prefix of the intake: `POST /v1/ingest/<service>`. */
export const INGEST_PREFIX = '/v1/ingest/';

/** What the publish path said about an envelope: published, or refused with the reason. */
export type PublishOutcome = { ok: true } | { ok: false; error: FirehoseError; status: number };

export interface IntakeContext {
  /** The catalogue the broker validates against now (site services carry `ingest`). */
  catalogue(): EventCatalogue;
  /** Largest body accepted, in bytes (the envelope must fit an MQTT packet). */
  maxBytes(): number;
  /** Where the secrets are (`ingest.secretEnv` names one). */
  env: NodeJS.ProcessEnv;
  /** Whether `X-Forwarded-For` names the sender (`trustProxy.forwardedFor`). */
  trustProxy(): boolean;
  /**
   * Validates and publishes an envelope through the MQTT publish path (same checks, counts and
   * invalid records); resolves once the broker accepted it.
   */
  publish(
    topic: string,
    event: FirehoseEvent,
    service: ServiceDefinition,
    ip: string,
  ): Promise<PublishOutcome>;
  stats: BrokerStats;
  logger: Logger;
}

interface Answer {
  status: number;
  body: object;
  headers?: Record<string, string>;
}

const error = (
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): Answer => ({ status, body: { error: { code, message, ...extra } } });

function senderAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

function send(res: ServerResponse, answer: Answer): void {
  const text = `${JSON.stringify(answer.body)}\n`;
  res
    .writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...answer.headers,
    })
    .end(text);
}

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

/**
 * The webhook intake on the HTTP listener (docs/architecture.md#http-intake): `POST
 * /v1/ingest/<service>` for each service whose catalogue declares `ingest`. A request is
 * size-checked (413 before parsing), authenticated the way its sender signs (401, counted and
 * logged at warn with the sender's address), mapped to an event type by the declared selector and
 * `match`, wrapped in an envelope and published like an MQTT publish; 2xx only once the broker
 * accepted it, a 4xx naming the field when the data is invalid (then nothing is published).
 */
export async function handleIngest(
  ctx: IntakeContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let answer: Answer;
  try {
    answer = await ingest(ctx, req);
  } catch (cause) {
    ctx.logger.error({ err: cause }, 'webhook intake failed unexpectedly');
    answer = error(500, 'INTERNAL', 'The broker could not take the event; retry later.');
  }
  send(res, answer);
}

async function ingest(ctx: IntakeContext, req: IncomingMessage): Promise<Answer> {
  const path = (req.url ?? '/').split('?')[0]!;
  const name = decodeURIComponent(path.slice(INGEST_PREFIX.length));
  const catalogue = ctx.catalogue();
  const service: ServiceDefinition | undefined = catalogue.getService(name);
  const intake = service?.ingest;
  if (service === undefined || intake === undefined) {
    const served = catalogue.services.filter((s) => s.ingest !== undefined).map((s) => s.name);
    // Consume the body so the connection stays usable for the next request.
    req.resume();
    return error(
      404,
      'NOT_FOUND',
      `No service named ${JSON.stringify(name)} takes webhooks here; ${
        served.length === 0
          ? 'no catalogue declares an ingest block'
          : `POST to ${served.map((s) => INGEST_PREFIX + s).join(', ')}`
      }.`,
    );
  }
  if (req.method !== 'POST') {
    req.resume();
    return {
      ...error(405, 'METHOD_NOT_ALLOWED', `Send webhooks with POST to ${path}.`),
      headers: { allow: 'POST' },
    };
  }
  const body = await readBody(req, ctx.maxBytes());
  if (body === TOO_LARGE) {
    ctx.stats.drop('ingest_too_large');
    return error(
      413,
      'TOO_LARGE',
      `The body exceeds ${ctx.maxBytes()} bytes (limits.maxPacketBytes); the broker takes no event that large.`,
    );
  }
  const secret = ctx.env[intake.secretEnv];
  if (secret === undefined || secret === '') {
    ctx.logger.error(
      { service: name, secretEnv: intake.secretEnv },
      'webhook intake has no secret: its environment variable is not set',
    );
    return error(
      503,
      'NOT_CONFIGURED',
      `The ${name} intake has no secret: set ${intake.secretEnv} in the broker's environment.`,
    );
  }
  const refusal = verifySender(intake.auth, secret, req.headers, body);
  if (refusal !== undefined) {
    ctx.stats.drop('ingest_unauthorized');
    ctx.logger.warn(
      { service: name, ip: senderAddress(req, ctx.trustProxy()), auth: intake.auth },
      `webhook refused: ${refusal}`,
    );
    return {
      ...error(401, 'UNAUTHORIZED', refusal),
      headers: { 'www-authenticate': `Bearer realm="firehose"` },
    };
  }
  if (!isJsonType(req.headers['content-type'])) {
    ctx.stats.drop('ingest_invalid');
    return error(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `The body is ${req.headers['content-type']}; set the webhook's content type to application/json.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    ctx.stats.drop('ingest_invalid');
    // JSON.parse quotes the text around the mistake, which may hold a secret: say only where it is.
    const position = /position (\d+)/.exec((cause as Error).message)?.[1];
    return error(
      400,
      'INVALID_PAYLOAD',
      `The body is not JSON${position === undefined ? '' : ` (at byte ${position})`}; send the event as JSON.`,
    );
  }
  const selector = selectorValue(intake.eventFrom, req.headers, data);
  // GitHub sends `ping` when a webhook is created: answer it, publish nothing.
  if (selector === 'ping' && intake.auth === 'github-hmac' && intake.match.ping === undefined) {
    return { status: 200, body: { ok: true, service: name, events: Object.keys(intake.match) } };
  }
  const type = selector === undefined ? undefined : intake.match[selector];
  const eventType: EventType | undefined = type === undefined ? undefined : catalogue.getEventType(type);
  if (eventType === undefined) {
    ctx.stats.drop('ingest_unknown_event');
    const known = Object.keys(intake.match).join(', ');
    return error(
      422,
      'UNKNOWN_EVENT_TYPE',
      selector === undefined
        ? `The request has no ${selectorName(intake.eventFrom)} to choose its event type; ${name} takes ${known}.`
        : // The value is not quoted back: a body's field may carry anything, a secret included.
          `${name} declares no event for the ${selectorName(intake.eventFrom)} this request sent; it takes ${known}.`,
      { parameter: selectorName(intake.eventFrom) },
    );
  }
  const event = wrapData(eventType, service.source, data);
  let topic: string;
  try {
    topic = eventType.topicFor(data);
  } catch (cause) {
    const firehose = cause instanceof FirehoseError ? cause : undefined;
    ctx.stats.drop('ingest_invalid');
    return error(
      422,
      firehose?.code ?? 'INVALID_PARAMS',
      firehose?.message ?? String(cause),
      firehose?.path === undefined ? {} : { path: firehose.path },
    );
  }
  const outcome = await ctx.publish(topic, event, service, senderAddress(req, ctx.trustProxy()));
  if (!outcome.ok) {
    // The reason without the refused value (it may be a secret), as in the invalid records.
    const { code, redactedMessage, path: field } = outcome.error;
    return error(
      outcome.status,
      code,
      redactedMessage,
      field === undefined || field === '' ? {} : { path: field },
    );
  }
  return { status: 202, body: { id: event.id, type: event.type, topic } };
}
