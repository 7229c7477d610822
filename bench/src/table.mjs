// Markdown tables of a scenario's medians, with firehose's ratios to the other two brokers.
import { BROKER_LABELS } from './brokers.mjs';

const median = (values) => {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
};

const fixed = (digits) => (v) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const thousands = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : '–');
const mib = (v) => (Number.isFinite(v) ? (v / 2 ** 20).toFixed(1) : '–');
const kib = (v) => (Number.isFinite(v) ? (v / 1024).toFixed(1) : '–');

const COLUMNS = {
  msgPerSec: { label: 'msg/s', format: thousands },
  p50: { label: 'p50 ms', format: fixed(2) },
  p99: { label: 'p99 ms', format: fixed(2) },
  max: { label: 'max ms', format: fixed(1) },
  loss: { label: 'lost', format: thousands },
  cpuPerMsg: { label: 'broker CPU µs/msg', format: fixed(2) },
  rss: { label: 'RSS MiB', format: mib },
  vsNoneFrozen: { label: 'vs none frozen', format: fixed(2) },
  connections: { label: 'connections', format: thousands },
  rssPerConnection: { label: 'RSS KiB per connection', format: kib },
};

function columnsFor(key) {
  if (key === 'idle-10k') return ['connections', 'rss', 'rssPerConnection'];
  if (key === 'frozen-1-of-100')
    return ['msgPerSec', 'vsNoneFrozen', 'p50', 'p99', 'max', 'loss', 'cpuPerMsg', 'rss'];
  return ['msgPerSec', 'p50', 'p99', 'max', 'loss', 'cpuPerMsg', 'rss'];
}

/** Medians of each column per broker: `{ firehose: { msgPerSec, ... }, ... }`. */
function medians(result) {
  const out = {};
  for (const [kind, rows] of Object.entries(result.rows)) {
    const ok = rows.filter((r) => !r.failed);
    out[kind] = Object.fromEntries(Object.keys(COLUMNS).map((c) => [c, median(ok.map((r) => r[c]))]));
    out[kind].rounds = ok.length;
    out[kind].failed = rows.length - ok.length;
    out[kind].ladder = ok.map((r) => r.ladder).filter(Boolean);
  }
  return out;
}

export function renderScenario(result, brokers) {
  const columns = columnsFor(result.key);
  const m = medians(result);
  const lines = [`### ${result.title}`, '', result.models, ''];
  lines.push(`| broker | ${columns.map((c) => COLUMNS[c].label).join(' | ')} |`);
  lines.push(`|---|${columns.map(() => '---:').join('|')}|`);
  for (const kind of brokers) {
    const row = m[kind];
    const note = row.failed ? ` (${row.failed} failed)` : '';
    lines.push(
      `| ${BROKER_LABELS[kind]}${note} | ${columns.map((c) => COLUMNS[c].format(row[c])).join(' | ')} |`,
    );
  }
  // firehose ÷ each other broker; with a base build in the run, the base's ratios too (before/after).
  const subjects = ['firehose', 'firehose-base'].filter((b) => m[b] !== undefined);
  for (const subject of subjects) {
    for (const other of brokers.filter(
      (b) => b !== subject && !(subject === 'firehose-base' && b === 'firehose'),
    )) {
      const cells = columns.map((c) => {
        const a = m[subject][c];
        const b = m[other][c];
        if (c === 'loss' || c === 'connections' || !Number.isFinite(a) || !Number.isFinite(b) || b === 0)
          return '';
        return `${(a / b).toFixed(2)}×`;
      });
      lines.push(`| ${BROKER_LABELS[subject]} ÷ ${BROKER_LABELS[other]} | ${cells.join(' | ')} |`);
    }
  }
  const ladders = brokers
    .filter((b) => m[b].ladder.length > 0)
    .map((b) => `${BROKER_LABELS[b]}: ${m[b].ladder.join(' / ')}`);
  if (ladders.length > 0)
    lines.push('', `Rates tried (msg/s, ✗ = loss or p99 ≥ 50 ms): ${ladders.join('; ')}`);
  return lines.join('\n');
}
