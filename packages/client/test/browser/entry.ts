// Bundled by Vite for the browser test: the client's browser entry graph, as an app would import it.
import { gerrit } from '@firehose/schema';
import { connect, type FirehoseClient } from '../../src/index.js';

interface BrowserTest {
  received: { number: number; project: string | undefined; state: string }[];
  start(url: string): Promise<string>;
  publish(url: string, data: unknown): Promise<string>;
}

let client: FirehoseClient | undefined;
const test: BrowserTest = {
  received: [],
  async start(url) {
    client = await connect(url);
    await client.subscribe(gerrit.commentAdded({ project: 'openstack/nova' }), (e) => {
      test.received.push({
        number: e.event.data.change.number,
        project: e.params.project,
        state: client!.state,
      });
    });
    return client.state;
  },
  async publish(url, data) {
    const publisher = await connect(url, { username: 'gerrit', password: 'pw' });
    const event = await publisher.publish('gerrit/openstack/nova/comment-added', data as never);
    await publisher.close();
    return event.id;
  },
};
(globalThis as unknown as { firehoseTest: BrowserTest }).firehoseTest = test;
