import { describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from './sse-reader.js';

/** A body that delivers `chunks` one read at a time, as a network would split them. */
function body(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    },
  });
}

async function read(chunks: readonly (string | Uint8Array)[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(body(chunks))) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('reads id, data and event name; skips heartbeat comments', async () => {
    const events = await read([
      ': heartbeat\n\n',
      'id: 0001\ndata: {"a":1}\n\n',
      'event: reset\ndata: {"oldest":"0002"}\n\n',
      'id: 0003\ndata: {"a":3}\n\n',
    ]);
    expect(events).toEqual([
      { event: 'message', data: '{"a":1}', id: '0001' },
      { event: 'reset', data: '{"oldest":"0002"}', id: undefined },
      { event: 'message', data: '{"a":3}', id: '0003' },
    ]);
  });

  it('joins events split anywhere across chunks, including inside a multi-byte character and a CRLF', async () => {
    const text = 'id: 7\r\ndata: {"comment":"Änderung ✓"}\r\n\r\nid: 8\ndata: x\n\n';
    const bytes = new TextEncoder().encode(text);
    // Every split point, so no boundary (mid-UTF-8 sequence, between CR and LF) goes untested.
    for (let split = 1; split < bytes.length; split++) {
      const events = await read([bytes.slice(0, split), bytes.slice(split)]);
      expect(events, `split at ${split}`).toEqual([
        { event: 'message', data: '{"comment":"Änderung ✓"}', id: '7' },
        { event: 'message', data: 'x', id: '8' },
      ]);
    }
  });

  it('joins several data lines with newlines, takes a field without a colon as empty, ignores a BOM', async () => {
    const events = await read(['\uFEFFdata: one\ndata:two\ndata\n\n']);
    expect(events).toEqual([{ event: 'message', data: 'one\ntwo\n', id: undefined }]);
  });

  it('accepts a lone CR as a line end, and drops an event the server did not finish', async () => {
    const events = await read(['id: 1\rdata: a\r\r', 'id: 2\ndata: half']);
    expect(events).toEqual([{ event: 'message', data: 'a', id: '1' }]);
  });

  it('cancels the body when the loop stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readServerSentEvents(stream)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
