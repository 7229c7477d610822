import { useEffect, useState } from 'preact/hooks';
import { formatCount } from './format-time.js';
import { emptyFilter, isEmptyFilter, topicFilterProblem, type FilterState } from '../model/filters.js';

export interface FilterBarProps {
  readonly filter: FilterState;
  /** Services seen so far and the site's own the broker declared, for the service checkboxes. */
  readonly services: readonly string[];
  /** Declared event types (of the selected services, else of all), suggested in the Event type field. */
  readonly eventTypes: readonly string[];
  /** Events received per service, shown beside each checkbox. */
  readonly perService: ReadonlyMap<string, number>;
  readonly onChange: (filter: FilterState) => void;
}

type TextField = Exclude<keyof FilterState, 'services'>;

const fields: { key: TextField; label: string; placeholder: string }[] = [
  { key: 'text', label: 'Search', placeholder: 'free text' },
  { key: 'project', label: 'Project', placeholder: 'openstack/nova' },
  { key: 'change', label: 'Change', placeholder: '912345' },
  { key: 'user', label: 'User', placeholder: 'name' },
  { key: 'type', label: 'Event type', placeholder: 'comment-added' },
  { key: 'topic', label: 'Topic filter', placeholder: 'zuul/+/gate/#' },
];

/** Text filters apply after a short pause in typing, so each keystroke does not rebuild the rows. */
const TYPING_DELAY_MS = 200;

/** The stream's filters; every change is written to the URL by the app, so views can be shared. */
export function FilterBar({ filter, services, eventTypes, perService, onChange }: FilterBarProps) {
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  useEffect(() => {
    if (draft === filter) return;
    const timer = setTimeout(() => onChange(draft), TYPING_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft]);

  const topicProblem = topicFilterProblem(draft.topic);
  const allServices = [...new Set([...services, ...filter.services])].sort();
  const toggleService = (service: string, on: boolean) => {
    const next = on ? [...filter.services, service] : filter.services.filter((value) => value !== service);
    onChange({ ...draft, services: [...new Set(next)].sort() });
  };

  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter the stream"
      onSubmit={(event) => event.preventDefault()}
    >
      <fieldset class="services">
        <legend>Services</legend>
        {allServices.length === 0 && <span class="muted">none seen yet</span>}
        {allServices.map((service) => (
          <label key={service} class="service-option">
            <input
              type="checkbox"
              name="service"
              value={service}
              checked={filter.services.includes(service)}
              onChange={(event) => toggleService(service, event.currentTarget.checked)}
            />
            {service}
            {/* The count changes every second; kept out of the checkbox's accessible name. */}
            <span class="muted count" aria-hidden="true">
              {formatCount(perService.get(service) ?? 0)}
            </span>
          </label>
        ))}
      </fieldset>
      {fields.map(({ key, label, placeholder }) => (
        <label key={key} class="field">
          <span>{label}</span>
          <input
            type="search"
            name={key}
            value={draft[key]}
            placeholder={placeholder}
            aria-invalid={key === 'topic' && topicProblem !== undefined}
            aria-describedby={key === 'topic' && topicProblem ? 'topic-problem' : undefined}
            list={key === 'type' ? 'event-types' : undefined}
            onInput={(event) => setDraft({ ...draft, [key]: event.currentTarget.value })}
            onKeyDown={(event) => {
              if (event.key === 'Enter') onChange(draft);
            }}
          />
        </label>
      ))}
      <datalist id="event-types">
        {eventTypes.map((type) => (
          <option key={type} value={type} />
        ))}
      </datalist>
      <button
        type="button"
        disabled={isEmptyFilter(filter) && isEmptyFilter(draft)}
        onClick={() => onChange(emptyFilter)}
      >
        Clear filters
      </button>
      {topicProblem && (
        <p id="topic-problem" class="problem" role="alert">
          {topicProblem}
        </p>
      )}
    </form>
  );
}
