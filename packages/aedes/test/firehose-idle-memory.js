// firehose: what an idle connection holds. With 10,000 connected clients every closure, bound
// function or empty container made per client is memory that scales with the connections.
import { test } from 'node:test'
import { duplexPair } from 'node:stream'
import { Aedes } from '../aedes.js'
import { connect, setup } from './helper.js'

async function twoIdleClients (t) {
  const broker = await Aedes.createBroker()
  t.after(() => broker.close())
  const a = setup(broker)
  const b = setup(broker)
  await connect(a, { connect: { clientId: 'idle-a' } })
  await connect(b, { connect: { clientId: 'idle-b' } })
  return [a.client, b.client]
}

test('an idle client holds no functions of its own but the parser callback', async (t) => {
  const [client] = await twoIdleClients(t)
  const own = Object.keys(client).filter((key) => typeof client[key] === 'function')
  t.assert.deepEqual(own, ['_nextBatch'])
})

test("clients share their connection's and their parser's listeners", async (t) => {
  const broker = await Aedes.createBroker()
  t.after(() => broker.close())
  // bare streams: every listener on them is the client's
  const a = broker.handle(duplexPair()[1])
  const b = broker.handle(duplexPair()[1])
  for (const event of ['readable', 'error', 'end', 'close', 'finish']) {
    const mine = a.conn.listeners(event).filter((listener) => listener !== a._nextBatch)
    const theirs = b.conn.listeners(event).filter((listener) => listener !== b._nextBatch)
    t.assert.deepEqual(mine, theirs, `conn '${event}' listeners`)
  }
  t.assert.deepEqual(a._parser.listeners('error'), b._parser.listeners('error'), "parser 'error' listeners")
})

test('an idle client has not created its delivery order, in-flight sets, drain queue or dedupe map', async (t) => {
  const [client] = await twoIdleClients(t)
  t.assert.equal(client._deliverOrderQueue, null)
  t.assert.equal(client._inboundInflightSet, null)
  t.assert.equal(client._sharedInflightMap, null)
  t.assert.equal(client._pendingDrains, null)
  t.assert.equal(client._duplicates, null)
  // and its parser buffers without a stream around the buffer list
  t.assert.equal(typeof client._parser._list.pipe, 'undefined')
})

test('a client closes when its stream closes without ending', async (t) => {
  const [client] = await twoIdleClients(t)
  const closed = new Promise((resolve) => client.broker.once('clientDisconnect', resolve))
  client.conn.destroy()
  t.assert.equal(await closed, client)
  t.assert.equal(client.closed, true)
})
