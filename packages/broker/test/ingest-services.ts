import { defineEventType } from '@firehose/schema';
import { Type } from 'typebox';
import type { CreateBrokerOptions } from '../src/index.js';

type SiteService = NonNullable<CreateBrokerOptions['services']>[number];

/**
 * Hand-built site services in the shape a catalogue file gives (contract C): GitHub signing with
 * HMAC and choosing by header, GitLab by token and a JSON pointer, a deploy tool with a bearer
 * token, and Zuul-like raw MQTT events with no intake.
 */
const push = defineEventType({
  service: 'github',
  event: 'push',
  description: 'A push to a repository',
  topic: 'github/{repo+}/push',
  schema: Type.Object({
    ref: Type.String(),
    after: Type.String(),
    repository: Type.Object({ id: Type.Number(), full_name: Type.String() }),
    sender: Type.Object({ login: Type.String() }),
  }),
  params: { repo: 'repository.full_name' },
  identity: ['after', 'repository.id'],
  keys: { repo: 'repository.full_name', user: 'sender.login' },
  subject: '{repository.full_name}/commit/{after}',
});

const pullRequest = defineEventType({
  service: 'github',
  event: 'pull_request',
  description: 'A pull request changed',
  topic: 'github/{repo+}/pull/{number}',
  schema: Type.Object({
    action: Type.String(),
    number: Type.Number(),
    pull_request: Type.Object({ head: Type.Object({ sha: Type.String() }) }),
    repository: Type.Object({ id: Type.Number(), full_name: Type.String() }),
  }),
  params: { repo: 'repository.full_name', number: 'number' },
  identity: ['repository.id', 'number', 'action', 'pull_request.head.sha'],
});

export const github: SiteService = {
  name: 'github',
  description: 'GitHub webhooks of acme',
  source: 'https://github.com/acme',
  eventTypes: [push, pullRequest],
  ingest: {
    auth: 'github-hmac',
    secretEnv: 'TEST_GITHUB_SECRET',
    eventFrom: { header: 'X-GitHub-Event' },
    match: { push: 'github.push', pull_request: 'github.pull_request' },
  },
};

export const gitlab: SiteService = {
  name: 'gitlab',
  description: 'GitLab webhooks',
  source: 'https://gitlab.example.org',
  eventTypes: [
    defineEventType({
      service: 'gitlab',
      event: 'push',
      description: 'A push',
      topic: 'gitlab/{project+}/push',
      schema: Type.Object({
        object_kind: Type.Literal('push'),
        checkout_sha: Type.String(),
        project: Type.Object({ path_with_namespace: Type.String() }),
      }),
      params: { project: 'project.path_with_namespace' },
      identity: ['checkout_sha'],
    }),
  ],
  ingest: {
    auth: 'gitlab-token',
    secretEnv: 'TEST_GITLAB_SECRET',
    eventFrom: { pointer: '/object_kind' },
    match: { push: 'gitlab.push' },
  },
};

export const argocd: SiteService = {
  name: 'argocd',
  description: 'Argo CD notifications',
  source: 'https://argocd.example.org',
  eventTypes: [
    defineEventType({
      service: 'argocd',
      event: 'sync',
      description: 'An application synced',
      topic: 'argocd/{app}/sync',
      schema: Type.Object({ app: Type.String(), revision: Type.String(), phase: Type.String() }),
      params: { app: 'app' },
      identity: ['app', 'revision', 'phase'],
    }),
  ],
  ingest: {
    auth: 'bearer',
    secretEnv: 'TEST_ARGOCD_TOKEN',
    eventFrom: { header: 'X-Event' },
    match: { sync: 'argocd.sync' },
  },
};

/** Published raw over MQTT by an account marked `payload: data` (like Zuul's MQTT reporter). */
export const ci: SiteService = {
  name: 'ci',
  description: 'A CI system reporting over MQTT',
  source: 'https://ci.example.org',
  eventTypes: [
    defineEventType({
      service: 'ci',
      event: 'build',
      description: 'A build finished',
      topic: 'ci/{pipeline}/{project+}/build',
      schema: Type.Object({
        uuid: Type.String(),
        pipeline: Type.String(),
        project: Type.String(),
        result: Type.String(),
      }),
      params: { pipeline: 'pipeline', project: 'project' },
      identity: ['uuid'],
      subject: '{project}/build/{uuid}',
    }),
  ],
};
