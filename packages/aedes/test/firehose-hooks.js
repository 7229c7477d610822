// firehose: the fork's own options, divertPublish and beforeDeliver (not in upstream aedes).
import { test } from 'node:test'
import { Aedes } from '../aedes.js'
import { connect, nextPacket, publish, setup, subscribe } from './helper.js'

async function pubSub (t, opts) {
  const broker = await Aedes.createBroker(opts)
  t.after(() => broker.close())
  const publisher = setup(broker)
  const subscriber = setup(broker)
  await connect(publisher, { connect: { clientId: 'publisher' } })
  await connect(subscriber, { connect: { clientId: 'subscriber' } })
  await subscribe(t, subscriber, 'data/#', 2)
  return { broker, publisher, subscriber }
}

for (const qos of [0, 1, 2]) {
  test(`divertPublish: a diverted QoS ${qos} publish is acknowledged, not delivered, and the publisher's next one flows`, async (t) => {
    const { publisher, subscriber } = await pubSub(t, {
      divertPublish: (packet) => packet.topic === 'data/refused'
    })
    await publish(t, publisher, { cmd: 'publish', topic: 'data/refused', payload: 'no', qos, messageId: 10 })
    await publish(t, publisher, { cmd: 'publish', topic: 'data/accepted', payload: 'yes', qos, messageId: 11 })
    const packet = await nextPacket(subscriber)
    // a diverted QoS 2 publish gives its place in the publisher's order back, or 'data/accepted'
    // would wait behind it forever
    t.assert.equal(packet.topic, 'data/accepted')
    t.assert.equal(packet.payload.toString(), 'yes')
  })
}

test('beforeDeliver: runs once per accepted message, in the order a publisher sent them', async (t) => {
  const seen = []
  const { publisher, subscriber } = await pubSub(t, {
    beforeDeliver: (packet, client) => {
      if (packet.topic.startsWith('data/')) seen.push([packet.topic, client && client.id])
    }
  })
  for (let i = 0; i < 20; i++) {
    publisher.inStream.write({ cmd: 'publish', topic: `data/${i}`, payload: String(i), qos: 1, messageId: i + 1 })
  }
  for (let i = 0; i < 20; i++) {
    const packet = await nextPacket(subscriber)
    t.assert.equal(packet.topic, `data/${i}`)
  }
  t.assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => [`data/${i}`, 'publisher']))
})

test('beforeDeliver: a diverted publish is never accepted', async (t) => {
  const seen = []
  const { publisher, subscriber } = await pubSub(t, {
    divertPublish: (packet) => packet.topic === 'data/refused',
    beforeDeliver: (packet) => {
      if (packet.topic.startsWith('data/')) seen.push(packet.topic)
    }
  })
  await publish(t, publisher, { cmd: 'publish', topic: 'data/refused', payload: 'no', qos: 1, messageId: 1 })
  await publish(t, publisher, { cmd: 'publish', topic: 'data/accepted', payload: 'yes', qos: 1, messageId: 2 })
  await nextPacket(subscriber)
  t.assert.deepEqual(seen, ['data/accepted'])
})
