import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { ArchiveFeed } from '../connection/archive-feed.js';
import { sortCatalogue } from '../model/catalogue.js';
import { filterToParams, isEmptyFilter, type FilterState } from '../model/filters.js';
import type { LiveStatus } from '../model/live-status.js';
import { toNdjson } from '../model/ndjson.js';
import type { PageConfig } from '../model/page-config.js';
import type { StreamItem } from '../model/stream-item.js';
import type { StreamStore } from '../model/stream-store.js';
import { CatalogueTable } from './catalogue-table.js';
import { downloadText } from './clipboard.js';
import { ConnectionStatus } from './connection-status.js';
import { DetailPane } from './detail-pane.js';
import { FilterBar } from './filter-bar.js';
import { formatCount } from './format-time.js';
import { HealthPanel } from './health-panel.js';
import { RatesChart } from './rates-chart.js';
import { SidePanels } from './side-panels.js';
import { StreamList, type Selection } from './stream-list.js';
import { ThemeToggle } from './theme-toggle.js';
import { useTick } from './use-store.js';

export interface AppProps {
  readonly store: StreamStore;
  readonly status: LiveStatus;
  readonly config: PageConfig;
  readonly archive: ArchiveFeed;
}

interface OpenDetail {
  readonly item: StreamItem;
  readonly burst: readonly StreamItem[];
}

/** Keys typed into these go to the control, not to the pause shortcut. */
const typingTargets = new Set(['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY']);

export function App({ store, status, config, archive }: AppProps) {
  const now = useTick(1000);
  const [, setStateVersion] = useState(0);
  const [filter, setFilterState] = useState<FilterState>(store.filter);
  const [selection, setSelection] = useState<Selection | undefined>(undefined);
  const [detail, setDetail] = useState<OpenDetail | undefined>(undefined);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [pausedBy, setPausedBy] = useState<'user' | 'scroll' | undefined>(undefined);
  const [toTop, setToTop] = useState(0);
  // While paused the rows' "N s ago" stay as they were: they sit in a live region, and a ticking
  // clock there makes a screen reader announce every row every second.
  const [pausedAt, setPausedAt] = useState<number | undefined>(undefined);
  useEffect(() => status.onStateChange(() => setStateVersion((version) => version + 1)), [status]);
  useEffect(() => archive.onChange(() => setStateVersion((version) => version + 1)), [archive]);
  const [permalinkProblem, setPermalinkProblem] = useState<string | undefined>(undefined);
  // A permalink (?event=) opens that event's details as soon as the archive answers.
  useEffect(() => {
    if (config.event === undefined) return;
    void archive.event(config.event).then((found) => {
      if ('problem' in found) setPermalinkProblem(`Cannot open event ${config.event}: ${found.problem}`);
      else setDetail({ item: found, burst: [found] });
    });
  }, [archive, config.event]);

  const pause = useCallback(
    (reason: 'user' | 'scroll') => {
      store.pause();
      setPausedBy(reason);
      setPausedAt(Date.now());
    },
    [store],
  );
  const resume = useCallback(() => {
    store.resume();
    setPausedBy(undefined);
    setPausedAt(undefined);
    setToTop((count) => count + 1);
  }, [store]);
  const togglePause = useCallback(() => (store.paused ? resume() : pause('user')), [store, pause, resume]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (typingTargets.has(target.tagName) || target.isContentEditable)) return;
      if (event.key === 'p' || event.key === ' ') {
        event.preventDefault();
        togglePause();
      } else if (event.key === 'Escape') {
        setDetail(undefined);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [togglePause]);

  const setFilter = (next: FilterState) => {
    store.setFilter(next);
    setFilterState(next);
    const params = filterToParams(next, new URLSearchParams(location.search));
    const query = params.toString();
    history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  };

  const openDetail = (target: Selection) => {
    const entry = store.view.newest(store.view.positionOf(target.id));
    if (!entry) return;
    const items = [...entry.items].reverse();
    const item = items[target.child ?? 0];
    if (item) setDetail({ item, burst: items });
    setSelection(target);
  };

  const toggleExpanded = (id: number) => {
    const next = new Set(expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setExpanded(next);
  };

  const exportNdjson = () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    downloadText(`firehose-${stamp}.ndjson`, toNdjson(store.view.items()), 'application/x-ndjson');
  };

  const counts = store.counts();
  // Services seen, plus the site's own the broker declared (learned from its record), seen or not.
  const services = [...new Set([...counts.perService.keys(), ...status.services.site])].sort();
  const eventTypes = useMemo(
    () => status.services.eventTypes(filter.services),
    [now, status, filter.services],
  );
  // Recomputed on the 1 Hz tick only: charts and tables do not follow every frame.
  const rates = useMemo(() => status.rates.series(now), [now, status]);
  const catalogue = useMemo(
    () => sortCatalogue(status.services.withSiteTypes(status.catalogue.values())),
    [now, status],
  );
  const healthSummary = useMemo(() => status.health.summary(), [now, status]);
  const healthEntries = useMemo(() => status.health.entries(), [now, status]);
  const paused = store.paused;
  const rowsNow = paused && pausedAt !== undefined ? pausedAt : now;
  const live = status.state === 'connected';

  const empty =
    archive.state.kind === 'loading' && counts.received === 0 ? (
      <>Reading recent events from the broker's archive…</>
    ) : config.search !== undefined && counts.archived === 0 ? (
      <>
        <strong>No archived event matches this search.</strong> Widen the time window, loosen the filters or
        the Where predicate.
      </>
    ) : status.state === 'down' ? (
      <>
        <strong>Cannot reach the broker at {config.broker}.</strong> Check that it is running (
        <code>pnpm demo</code> starts one), or open this page with <code>?broker=ws://host:port/mqtt</code>.
        The dashboard keeps retrying.
      </>
    ) : counts.received === 0 && counts.archived === 0 ? (
      <>
        <strong>Waiting for events.</strong> Nothing has been published on this broker since the page opened.
        Start the demo publishers (<code>pnpm demo</code>) or publish one with <code>firehose pub</code>.
      </>
    ) : !isEmptyFilter(filter) ? (
      <>
        <strong>No retained event matches these filters.</strong> Loosen them, or{' '}
        <button
          type="button"
          onClick={() =>
            setFilter({
              ...filter,
              services: [],
              project: '',
              change: '',
              user: '',
              type: '',
              text: '',
              topic: '',
            })
          }
        >
          clear all filters
        </button>
        .
      </>
    ) : (
      <>Nothing to show.</>
    );

  return (
    <div class="app" data-tick={now}>
      <header class="top">
        <h1>
          firehose <span class="muted">{config.search === undefined ? 'live' : 'search'}</span>
        </h1>
        <ConnectionStatus state={status.state} broker={config.broker} detail={status.detail} />
        <dl class="counts" aria-label="Counts">
          <div>
            <dt>Received</dt>
            <dd data-count="received">{counts.received}</dd>
          </div>
          <div>
            <dt>Retained</dt>
            <dd data-count="retained" title={`cap ${store.capacity} (?retain=)`}>
              {counts.retained}
            </dd>
          </div>
          {counts.archived > 0 && (
            <div>
              <dt>From history</dt>
              <dd data-count="archived" title="read from the broker's archive">
                {counts.archived}
              </dd>
            </div>
          )}
          <div>
            <dt>Shown</dt>
            <dd data-count="shown">{counts.shown}</dd>
          </div>
          {status.invalid > 0 && (
            <div>
              <dt>Not envelopes</dt>
              <dd data-count="invalid">{status.invalid}</dd>
            </div>
          )}
        </dl>
        <div class="controls">
          <button
            type="button"
            class="pause"
            aria-pressed={paused}
            aria-keyshortcuts="p"
            onClick={togglePause}
          >
            {paused ? '▶ Resume' : '❚❚ Pause'} <kbd>p</kbd>
          </button>
          {paused && (
            <button
              type="button"
              class="new-badge"
              onClick={resume}
              aria-label={`${counts.newWhilePaused} new events; resume and jump to live`}
            >
              {formatCount(counts.newWhilePaused)} new
            </button>
          )}
          <label class="toggle">
            <input
              type="checkbox"
              checked={store.grouping}
              onChange={(event) => {
                store.setGrouping(event.currentTarget.checked);
                setStateVersion((version) => version + 1);
              }}
            />
            Group bursts
          </label>
          <a class="mode-switch button-link" href={modeSwitchHref(config.search === undefined)}>
            {config.search === undefined ? 'Search history' : 'Back to live'}
          </a>
          <button type="button" onClick={exportNdjson} disabled={counts.shown === 0}>
            Export NDJSON
          </button>
          <ThemeToggle />
        </div>
      </header>
      <FilterBar
        filter={filter}
        services={services}
        eventTypes={eventTypes}
        perService={counts.perService}
        onChange={setFilter}
      />
      {config.search !== undefined && <SearchBar search={config.search} />}
      <main class="layout">
        <section class="stream-panel" aria-label="Stream">
          {permalinkProblem !== undefined && (
            <p class="problem" role="alert">
              {permalinkProblem}
            </p>
          )}
          <p class="stream-state muted" aria-live="polite" data-live={String(live && !paused)}>
            {config.search !== undefined
              ? 'Search results from the archive, newest first: the filters above narrow them; scroll down for older ones.'
              : !live
                ? status.state === 'connecting'
                  ? 'Connecting to the broker…'
                  : 'Not live: the link to the broker is down and the dashboard is reconnecting; events published meanwhile are missed.'
                : paused
                  ? pausedBy === 'scroll'
                    ? 'Paused while you scroll: scroll to the top or press Resume to go live.'
                    : 'Paused: events keep arriving and are counted; Resume jumps to live.'
                  : 'Live, newest first.'}
          </p>
          <StreamList
            store={store}
            now={rowsNow}
            selection={selection}
            expanded={expanded}
            onSelect={setSelection}
            onOpen={openDetail}
            onToggle={toggleExpanded}
            onScrollAway={(away) => {
              if (away && !store.paused) pause('scroll');
              else if (!away && store.paused && pausedBy === 'scroll') resume();
            }}
            scrollToTopSignal={toTop}
            empty={empty}
            onNearEnd={() => void archive.loadOlder()}
            foot={
              <ArchiveFoot state={archive.state} url={archive.url} onMore={() => void archive.loadOlder()} />
            }
          />
        </section>
        <SidePanels
          detail={
            detail && (
              <DetailPane
                item={detail.item}
                burst={detail.burst}
                onPick={(item) => setDetail({ ...detail, item })}
                onClose={() => setDetail(undefined)}
              />
            )
          }
          panels={[
            { id: 'rates', title: 'Rates', body: <RatesChart series={rates} /> },
            {
              id: 'health',
              title: 'Broker health',
              body: <HealthPanel summary={healthSummary} entries={healthEntries} state={status.state} />,
            },
            {
              id: 'catalogue',
              title: 'Catalogue',
              body: (
                <CatalogueTable rows={catalogue} now={now} connected={live} site={status.services.site} />
              ),
            },
          ]}
        />
      </main>
    </div>
  );
}

/** The link between live and search mode: the same filters, the other mode. */
function modeSwitchHref(toSearch: boolean): string {
  const params = new URLSearchParams(location.search);
  for (const name of ['search', 'from', 'to', 'where', 'event']) params.delete(name);
  if (toSearch) params.set('search', '1');
  const query = params.toString();
  return `${location.pathname}${query ? `?${query}` : ''}`;
}

/** Search mode's own fields: the time window and a predicate the broker evaluates. A GET form: the URL holds them. */
function SearchBar({ search }: { search: NonNullable<PageConfig['search']> }) {
  const kept = [...new URLSearchParams(location.search)].filter(
    ([name]) => !['from', 'to', 'where', 'search', 'event'].includes(name),
  );
  return (
    <form class="search-bar" method="get" action={location.pathname} aria-label="Search the archive">
      <input type="hidden" name="search" value="1" />
      {kept.map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label class="field">
        <span>From</span>
        <input type="text" name="from" defaultValue={search.from} placeholder="-2h or 2026-12-07T08:00Z" />
      </label>
      <label class="field">
        <span>To</span>
        <input type="text" name="to" defaultValue={search.to} placeholder="now" />
      </label>
      <label class="field where">
        <span>Where</span>
        <input
          type="text"
          name="where"
          defaultValue={search.where}
          placeholder="data.change.branch = master"
        />
      </label>
      <button type="submit">Search</button>
    </form>
  );
}

/** Below the oldest row: what the archive has further down. */
function ArchiveFoot({
  state,
  url,
  onMore,
}: {
  state: ArchiveFeed['state'];
  url: string;
  onMore: () => void;
}) {
  switch (state.kind) {
    case 'loading':
      return <p class="archive-foot muted">Loading older events from the archive…</p>;
    case 'more':
      return (
        <p class="archive-foot muted">
          <button type="button" onClick={onMore}>
            Load older events
          </button>{' '}
          (or scroll)
        </p>
      );
    case 'end':
      return <p class="archive-foot muted">{state.note ?? 'The start of the archive: nothing older.'}</p>;
    case 'failed':
      return (
        <p class="archive-foot problem" role="alert">
          Cannot read older events from {url}: {state.message} Scroll again to retry.
        </p>
      );
  }
}
