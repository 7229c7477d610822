import { render, type Rendered } from '@firehose/schema';
import { serviceOf, type TailRecord } from './tail-record.js';

const decoder = new TextDecoder();

/**
 * Lazily computed text fields of one record, shared by every output format so `pretty`, `terse`
 * and templates agree on what `summary` or `time` means. Rendering runs at most once per record.
 */
export class RecordView {
  private rendered: Rendered | undefined;
  private text: string | undefined;

  constructor(readonly record: TailRecord) {}

  get service(): string {
    return serviceOf(this.record.topic);
  }

  get params(): Readonly<Record<string, string>> {
    return this.record.params;
  }

  get envelope(): unknown {
    return this.record.event;
  }

  get payloadText(): string {
    this.text ??= decoder.decode(this.record.payload);
    return this.text;
  }

  /** The rendering by the type's declared rules (a site's too, when the record carries their catalogue); a short description of the bytes when there is no envelope. */
  get render(): Rendered {
    if (this.rendered === undefined) {
      const event = this.record.event;
      if (event === undefined) {
        const text = this.payloadText.replace(/\s+/g, ' ').trim();
        this.rendered = { summary: text, sentence: text, actors: [], keys: {} };
      } else {
        try {
          this.rendered =
            this.record.catalogue === undefined
              ? render(event)
              : render(event, { catalogue: this.record.catalogue });
        } catch {
          // render() handles undeclared types, but a broken template must not stop the tail.
          this.rendered = { summary: event.type, sentence: event.type, actors: [], keys: {} };
        }
      }
    }
    return this.rendered;
  }

  /** Event time as RFC 3339 UTC (receive time when there is no envelope or its time is bad). */
  get time(): string {
    const raw = this.record.event?.time;
    const parsed = raw === undefined ? Number.NaN : Date.parse(raw);
    return Number.isNaN(parsed) ? this.receivedAt : new Date(parsed).toISOString();
  }

  get receivedAt(): string {
    return this.record.receivedAt.toISOString();
  }

  /** A named template field (see `TEMPLATE_FIELDS`). */
  field(name: string): unknown {
    const event = this.record.event;
    switch (name) {
      case 'topic':
        return this.record.topic;
      case 'service':
        return this.service;
      case 'time':
        return this.time;
      case 'received_at':
        return this.receivedAt;
      case 'summary':
        return this.render.summary;
      case 'sentence':
        return this.render.sentence;
      case 'url':
        return this.render.url;
      case 'json':
        return event === undefined ? this.payloadText : JSON.stringify(event);
      case 'payload':
        return this.payloadText;
      case 'cursor':
        return this.record.cursor;
      case 'type':
      case 'id':
      case 'source':
      case 'subject':
        return event?.[name];
      default:
        return undefined;
    }
  }
}
