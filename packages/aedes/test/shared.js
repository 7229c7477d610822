// firehose: shared subscriptions, `$share/<group>/<filter>` (lib/shared.js; not in upstream aedes).
import { test } from 'node:test'
import { once } from 'node:events'
import { Aedes } from '../aedes.js'
import { brokerPublish, connect, nextPacket, setup, subscribe, subscribeMultiple } from './helper.js'

async function member (t, broker, clientId, topic = '$share/g/data/#') {
  const s = setup(broker)
  await connect(s, { connect: { clientId } })
  await subscribe(t, s, topic, 1)
  return s
}

// every PUBLISH a member is sent, as it arrives
function collect (s) {
  const packets = []
  ;(async () => {
    for await (const packet of s.outStream) if (packet.cmd === 'publish') packets.push(packet)
  })().catch(() => {})
  return packets
}

async function until (predicate) {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise(resolve => setTimeout(resolve, 10))
  if (!predicate()) throw new Error('timed out')
}

// the packets each collector holds once no more arrive for a while
async function settled (...lists) {
  let total = -1
  while (total !== lists.reduce((n, l) => n + l.length, 0)) {
    total = lists.reduce((n, l) => n + l.length, 0)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return lists
}

test('each message goes to one member of a group, round robin; another group and a plain subscriber get every one', async (t) => {
  const broker = await Aedes.createBroker()
  t.after(() => broker.close())
  const a = await member(t, broker, 'a')
  const b = await member(t, broker, 'b')
  const other = await member(t, broker, 'other', '$share/h/data/#')
  const plain = await member(t, broker, 'plain', 'data/#')
  const [pa, pb, po, pp] = [a, b, other, plain].map(collect)
  for (let i = 0; i < 10; i++) await brokerPublish({ broker }, { topic: `data/${i}`, payload: String(i), qos: 1 })
  await until(() => pa.length + pb.length === 10 && po.length === 10 && pp.length === 10)
  await settled(pa, pb, po, pp)
  t.assert.equal(pa.length, 5)
  t.assert.equal(pb.length, 5)
  t.assert.deepEqual([...pa, ...pb].map(p => p.topic).sort(), Array.from({ length: 10 }, (_, i) => `data/${i}`).sort())
  t.assert.equal(po.length, 10)
  t.assert.equal(pp.length, 10)
  t.assert.deepEqual(broker.sharedSubscriptions().map(g => [g.group, g.filter, g.deliveries]).sort(), [['g', 'data/#', 10], ['h', 'data/#', 10]])
})

test('sharedCanTake: a member that cannot take more is skipped', async (t) => {
  const broker = await Aedes.createBroker({ sharedCanTake: (client) => client.id !== 'busy' })
  t.after(() => broker.close())
  const busy = await member(t, broker, 'busy')
  const idle = await member(t, broker, 'idle')
  const [pBusy, pIdle] = [busy, idle].map(collect)
  for (let i = 0; i < 4; i++) await brokerPublish({ broker }, { topic: `data/${i}`, payload: String(i), qos: 1 })
  await until(() => pIdle.length === 4)
  await settled(pBusy, pIdle)
  t.assert.equal(pBusy.length, 0)
  t.assert.equal(pIdle.length, 4)
})

test('an unacknowledged QoS 1 message of a member that disconnects goes to another member', async (t) => {
  const broker = await Aedes.createBroker()
  t.after(() => broker.close())
  const a = await member(t, broker, 'a')
  const b = await member(t, broker, 'b')
  const [pa, pb] = [a, b].map(collect)
  await brokerPublish({ broker }, { topic: 'data/1', payload: 'one', qos: 1 })
  await brokerPublish({ broker }, { topic: 'data/2', payload: 'two', qos: 1 })
  await until(() => pa.length === 1 && pb.length === 1)
  t.assert.equal(pa.length, 1)
  t.assert.equal(pb.length, 1)
  // b acknowledges; a is cut without acknowledging
  b.inStream.write({ cmd: 'puback', messageId: pb[0].messageId })
  const closed = once(broker, 'clientDisconnect')
  a.conn.destroy()
  await closed
  await until(() => pb.length === 2)
  await settled(pb)
  t.assert.deepEqual(pb.slice(1).map(p => p.payload.toString()), [pa[0].payload.toString()])
  t.assert.equal(broker.sharedSubscriptions()[0].redeliveries, 1)
})

test('bad shared subscriptions get 0x80 and a subscriptionRefused event; the connection goes on', async (t) => {
  const broker = await Aedes.createBroker()
  t.after(() => broker.close())
  const refused = []
  broker.on('subscriptionRefused', (client, topic, reason) => refused.push([client.id, topic, reason]))
  const s = setup(broker)
  await connect(s, { connect: { clientId: 'bad' } })
  const bad = ['$share//x', '$share/g', '$share/g/', '$share/g+/x', '$share/#/x', '$share/g/x/a#']
  await subscribeMultiple(t, s, [...bad.map(topic => ({ topic, qos: 1 })), { topic: '$share/g/x', qos: 2 }], [...bad.map(() => 128), 1])
  t.assert.deepEqual(refused.map(([id, topic]) => [id, topic]), bad.map(topic => ['bad', topic]))
  for (const [, , reason] of refused) t.assert.match(reason, /\$share\/<group>\/<filter>|not a valid topic filter/)
  await brokerPublish({ broker }, { topic: 'x', payload: 'still here', qos: 1 })
  const packet = await nextPacket(s)
  t.assert.equal(packet.payload.toString(), 'still here')
})

test('no retained message on a shared subscription', async (t) => {
  const broker = await Aedes.createBroker()
  t.after(() => broker.close())
  await brokerPublish({ broker }, { topic: 'data/kept', payload: 'retained', qos: 1, retain: true })
  const s = await member(t, broker, 'a')
  const received = collect(s)
  await brokerPublish({ broker }, { topic: 'data/live', payload: 'live', qos: 1 })
  await until(() => received.length === 1)
  await settled(received)
  t.assert.deepEqual(received.map(p => [p.topic, p.retain]), [['data/live', false]])
})
