import type { ServiceDefinition } from '@firehose/schema';

/**
 * The HTTP intake of a site service as its catalogue file declares it (contract C of
 * `.wip/history-contract.md`; the catalogue loader of `@firehose/schema` fills it). The secret is
 * never in the file: `secretEnv` names the environment variable that holds it.
 */
export interface IngestSpec {
  /** How the sender signs: GitHub's `X-Hub-Signature-256`, GitLab's `X-Gitlab-Token`, or `Authorization: Bearer`. */
  readonly auth: 'github-hmac' | 'gitlab-token' | 'bearer';
  readonly secretEnv: string;
  /** Where the value selecting the event type is: a request header, or a JSON pointer into the body. */
  readonly eventFrom: { readonly header: string } | { readonly pointer: string };
  /** Selector value (`push`) → CloudEvents type (`github.push`), from each event type's `match`. */
  readonly match: Readonly<Record<string, string>>;
}

/** A service that may declare an HTTP intake. */
export type IngestService = ServiceDefinition & { readonly ingest?: IngestSpec | undefined };
