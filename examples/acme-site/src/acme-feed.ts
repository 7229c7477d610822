import { connect, type FirehoseClient } from '@firehose/client';
// Written by `firehose schema codegen` from ../catalogue (pnpm run codegen); checked in, and
// test/acme-site.test.ts fails when it no longer matches the catalogue.
import { argocd, github, services } from './firehose/index.js';

/** One line per acme event, from the typed data of each event type. */
export interface AcmeFeed {
  client: FirehoseClient;
  lines: string[];
}

/**
 * What a team writes against its own services: a client that knows them (`services`), typed
 * subscriptions per event type, and each event's `data` and topic `params` typed by the catalogue's
 * JSON Schemas and topic templates, as `gerrit.commentAdded` is for OpenStack.
 */
export async function watchAcme(url: string): Promise<AcmeFeed> {
  const client = await connect(url, { services });
  const lines: string[] = [];
  await client.subscribe(github.push({ owner: 'acme' }), ({ event, params }) => {
    const { ref, after, pusher, commits } = event.data;
    lines.push(
      `push ${params.owner}/${params.repo} ${ref} ${after.slice(0, 7)} by ${pusher.name} (${commits.length === 1 ? '1 commit' : `${commits.length} commits`})`,
    );
  });
  await client.subscribe(github.pullRequest, ({ event, params }) => {
    const { action, pull_request: pull } = event.data;
    lines.push(
      `pull ${params.owner}/${params.repo}#${params.number} ${action}: ${pull.title} (${pull.head.ref} → ${pull.base.ref})`,
    );
  });
  await client.subscribe(github.workflowRun({ action: 'completed' }), ({ event }) => {
    const run = event.data.workflow_run;
    lines.push(
      `workflow ${event.data.repository.full_name} ${run.name} #${run.run_number}: ${run.conclusion ?? 'pending'}`,
    );
  });
  await client.subscribe(argocd.sync, ({ event, params }) => {
    const { app, operation } = event.data;
    lines.push(
      `sync ${params.app} ${operation.phase} at ${operation.revision.slice(0, 7)} (${app.healthStatus ?? 'unknown'})`,
    );
  });
  return { client, lines };
}
