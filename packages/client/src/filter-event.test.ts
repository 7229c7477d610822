import type { FirehoseClient } from '@firehose/client';
import type { gerrit, InferData, InferParams, zuul } from '@firehose/schema';
import { describe, expectTypeOf, it } from 'vitest';
import type { FilterEvent, UndeclaredEvent } from './filter-event.js';
import type { ReceivedEvent } from './types.js';

type CommentAdded = InferData<typeof gerrit.commentAdded>;
type CommentAddedParams = InferParams<typeof gerrit.commentAdded>;

describe('FilterEvent (types of raw filter subscriptions)', () => {
  it('a service filter yields that service’s declared types plus undeclared topics', () => {
    type E = FilterEvent<'gerrit/#'>;
    expectTypeOf<UndeclaredEvent>().toExtend<E>();
    expectTypeOf<
      ReceivedEvent<CommentAdded, CommentAddedParams> & { eventType: typeof gerrit.commentAdded }
    >().toExtend<E>();
    // Narrowing on eventType leaves only declared gerrit events: their data always has Gerrit's `type`.
    const narrow = (e: E): string | undefined => (e.eventType ? e.event.data.type : undefined);
    expectTypeOf(narrow).returns.toEqualTypeOf<string | undefined>();
  });

  it('a filter reaches only the services of its first level', () => {
    type ZuulReport = ReceivedEvent<InferData<typeof zuul.report>, InferParams<typeof zuul.report>>;
    expectTypeOf<Extract<FilterEvent<'gerrit/+/+/comment-added'>, ZuulReport>>().toBeNever();
    expectTypeOf<Extract<FilterEvent<'zuul/#'>, ZuulReport>>().not.toBeNever();
    expectTypeOf<Extract<FilterEvent<'+/openstack/#'>, ZuulReport>>().not.toBeNever();
  });

  it('wildcard first levels reach every service; unknown services and plain strings give ReceivedEvent', () => {
    expectTypeOf<UndeclaredEvent>().toExtend<FilterEvent<'#'>>();
    expectTypeOf<FilterEvent<'$SYS/#'>>().toEqualTypeOf<ReceivedEvent>();
    expectTypeOf<FilterEvent<string>>().toEqualTypeOf<ReceivedEvent>();
  });

  it('subscribe() hands the union to a string filter’s handler', () => {
    type Handler = Parameters<FirehoseClient['subscribe']>;
    expectTypeOf<Handler>().not.toBeNever();
    const use = (client: FirehoseClient) =>
      client.subscribe('gerrit/#', (e) => {
        expectTypeOf(e).toEqualTypeOf<FilterEvent<'gerrit/#'>>();
      });
    expectTypeOf(use).returns.resolves.toBeFunction();
  });
});
