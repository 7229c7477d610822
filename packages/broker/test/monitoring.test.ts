import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { systemProgram } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, type FirehoseBroker } from '../src/index.js';
import { client, gerritCommentAdded, startBroker } from './helpers.js';

const TOPIC = 'gerrit/openstack/nova/comment-added';

// The shipped Grafana dashboard and Prometheus alert rules (monitoring/) against a real broker's
// /metrics: every metric they name must be one the broker exports, and promtool must accept the rules.
const monitoring = fileURLToPath(new URL('../../../monitoring/', import.meta.url));
const rulesFile = `${monitoring}alerts.yml`;
const dashboard = JSON.parse(readFileSync(`${monitoring}grafana-dashboard.json`, 'utf8')) as {
  panels: { title: string; targets?: { expr: string }[] }[];
  templating: { list: { name: string; definition?: string }[] };
};

/** Series Prometheus itself provides; everything else must come from the broker. */
const PROMETHEUS_SERIES = new Set(['up']);
/** PromQL words that look like metric names but are functions, keywords or label names. */
const PROMQL_WORDS = new Set([
  'sum',
  'by',
  'without',
  'rate',
  'increase',
  'topk',
  'and',
  'or',
  'unless',
  'label_values',
  'humanize',
  'on',
  'ignoring',
  'instance',
  'job',
  'reason',
  'service',
  'type',
  'offset',
  'avg',
  'max',
  'min',
  'count',
]);

/** Metric names an expression uses: identifiers not followed by '(' that are not PromQL words or labels. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\{[^}]*\}/g, '{}');
  return [...withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((match) => match[1]!)
    .filter((name) => !PROMQL_WORDS.has(name) && !/^\d/.test(name) && !name.startsWith('__'));
}

function ruleExpressions(): { name: string; expr: string }[] {
  const text = readFileSync(rulesFile, 'utf8');
  const rules: { name: string; expr: string }[] = [];
  // Each rule: `- alert: Name` then `expr: …` (one line, or a `|` block indented below it).
  for (const block of text.split(/\n\s*- alert: /).slice(1)) {
    const name = block.split('\n')[0]!.trim();
    const inline = /\n\s*expr: (?!\|)(.+)/.exec(block);
    const folded = /\n(\s*)expr: \|\n((?:\1\s+.+\n)+)/.exec(block);
    const expr = inline?.[1] ?? folded?.[2]?.trim();
    if (expr === undefined) throw new Error(`alert ${name} has no expr`);
    rules.push({ name, expr });
  }
  return rules;
}

let broker: FirehoseBroker;
let exported: Set<string>;
let metrics: string;

beforeAll(async () => {
  broker = await startBroker({
    accounts: { gerrit: { password: await hashPassword('pw'), write: ['gerrit/#'] } },
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
  });
  // Some traffic, a refusal and an invalid event, so labelled series exist too.
  const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
  await publisher.publishAsync(TOPIC, JSON.stringify(gerritCommentAdded()), { qos: 1 });
  await publisher.publishAsync(TOPIC, '{not json', { qos: 1 });
  await publisher.endAsync();
  metrics = await (await fetch(`${broker.url('http')!}/metrics`)).text();
  exported = new Set<string>();
  for (const line of metrics.split('\n')) {
    const declared = /^# TYPE (\S+) (\S+)/.exec(line);
    if (declared) {
      exported.add(declared[1]!);
      // Histograms and summaries are queried through these series.
      if (declared[2] === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exported.add(declared[1]! + suffix);
      if (declared[2] === 'summary')
        for (const suffix of ['_sum', '_count']) exported.add(declared[1]! + suffix);
    } else if (line !== '' && !line.startsWith('#')) exported.add(line.split(/[{ ]/)[0]!);
  }
});

afterAll(async () => {
  await broker?.close();
});

describe('monitoring/: Grafana dashboard and Prometheus alert rules', () => {
  it('exports the metrics the rules and the dashboard are built on, with labels', () => {
    expect(exported).toContain('firehose_ready');
    expect(exported).toContain('firehose_events_total');
    expect(metrics).toMatch(/^firehose_ready 1$/m);
    expect(metrics).toMatch(/^firehose_events_total\{service="gerrit",type="gerrit\.comment-added"\} 1$/m);
    expect(metrics).toMatch(/^firehose_refused_total\{reason="invalid"\} 1$/m);
  });

  it("every alert rule names only metrics the broker exports (or Prometheus's own up)", () => {
    const rules = ruleExpressions();
    expect(rules.map((rule) => rule.name)).toEqual([
      'FirehoseBrokerDown',
      'FirehoseBrokerNotReady',
      'FirehoseInvalidEvents',
      'FirehoseDroppedMessages',
      'FirehoseServiceQuiet',
    ]);
    for (const { name, expr } of rules) {
      const names = metricNames(expr);
      expect(names.length, name).toBeGreaterThan(0);
      for (const metric of names)
        expect(exported.has(metric) || PROMETHEUS_SERIES.has(metric), `${name}: ${metric}`).toBe(true);
    }
  });

  it('every dashboard panel and variable queries only metrics the broker exports', () => {
    const queries = [
      ...dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr })),
      ),
      ...dashboard.templating.list.flatMap((variable) =>
        variable.definition === undefined ? [] : [{ where: `$${variable.name}`, expr: variable.definition }],
      ),
    ];
    expect(queries.length).toBeGreaterThan(10);
    for (const { where, expr } of queries) {
      const names = metricNames(expr.replace(/\$__rate_interval|\$instance/g, ''));
      expect(names.length, where).toBeGreaterThan(0);
      for (const metric of names) expect(exported.has(metric), `${where}: ${metric}`).toBe(true);
    }
  });

  it('promtool accepts the alert rules', () => {
    const promtool = spawnSync(systemProgram('promtool'), ['check', 'rules', rulesFile], {
      encoding: 'utf8',
    });
    expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
    expect(promtool.stdout).toContain('SUCCESS: 5 rules found');
  });
});
