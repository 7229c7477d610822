import { render } from 'preact';
import { ChangeIndex } from './model/change-index.js';
import { ArchiveFeed } from './connection/archive-feed.js';
import { openBrokerConnection } from './connection/broker-connection.js';
import { HistoryLoader } from './connection/history-loader.js';
import { toStreamItem } from './connection/to-stream-item.js';
import { filterFromParams } from './model/filters.js';
import { FrameBatcher } from './model/frame-batcher.js';
import { LiveStatus } from './model/live-status.js';
import { readPageConfig } from './model/page-config.js';
import type { StreamItem } from './model/stream-item.js';
import { StreamStore } from './model/stream-store.js';
import { App } from './ui/app.js';
import { applyStoredTheme } from './ui/theme.js';
import './styles.css';

applyStoredTheme();

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content;
const config = readPageConfig(location, meta('firehose-broker'), meta('firehose-history'));
const filter = filterFromParams(new URLSearchParams(location.search));
const store = new StreamStore({ capacity: config.retention, filter, grouping: config.grouping });
const status = new LiveStatus();
const known = status.services;
// The page opens with the archive's newest events (or, in search mode, its answer), not empty.
const archive = new ArchiveFeed(
  config.history === undefined
    ? undefined
    : new HistoryLoader(config.history, {
        filter,
        search: config.search,
        catalogue: () => known.catalogue,
      }),
  store,
  // Once the broker said which services it runs, so archived site events render as declared too.
  known.settled,
);
void archive.loadOlder();

// At most one DOM commit per animation frame, and at most ~10 a second (4 under a firehose,
// when every commit replaces the whole visible list anyway): the page stays smooth. A hidden
// tab gets no frames, so there a timer hands batches over and the retention cap bounds memory.
const commitInterval = (lastBatchSize: number) => (lastBatchSize > 20 ? 250 : 100);
const batcher = new FrameBatcher<StreamItem>(
  (batch) => store.ingest(batch),
  (callback) => (document.hidden ? setTimeout(callback, 250) : requestAnimationFrame(callback)),
  { minIntervalMs: commitInterval },
);
setInterval(() => {
  if (document.hidden) batcher.flushNow();
}, 1000);

let seq = 0;
const changes = new ChangeIndex();
const connection = openBrokerConnection(config.broker, {
  event(received) {
    // Search mode shows the archive's answer only; the connection still feeds rates and health.
    if (config.search !== undefined) return;
    seq += 1;
    const item = changes.annotate(toStreamItem(received, seq, known.catalogue));
    status.rates.record(item.service, item.receivedAt);
    batcher.push(item);
  },
  record(topic, payload) {
    status.record(topic, payload, Date.now());
  },
  invalid() {
    status.invalid += 1;
  },
  services(catalogue, site) {
    if (site === undefined) known.settle();
    else known.learn(catalogue, site);
  },
  state(state, detail) {
    status.setState(state, detail);
  },
});
addEventListener('pagehide', () => void connection.close());

// A read-only hook for the browser test and the load benchmark.
Object.assign(window, {
  firehoseDashboard: {
    counts: () => {
      const counts = store.counts();
      return { ...counts, perService: Object.fromEntries(counts.perService), pending: batcher.pending };
    },
    state: () => status.state,
    siteServices: () => known.site,
    archive: () => archive.state,
  },
});

const root = document.getElementById('app');
if (root) render(<App store={store} status={status} config={config} archive={archive} />, root);
