// firehose: the fork's own options, divertPublish, beforeDeliver and acknowledgePublish (not in upstream aedes).
import { test } from 'node:test'
import { Aedes } from '../aedes.js'
import { connect, delay, nextPacket, nextPacketWithTimeOut, publish, setup, subscribe } from './helper.js'

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

test('acknowledgePublish: holds each QoS 1 PUBACK until done(), in the order published; QoS 0 and 2 pass by', async (t) => {
  const held = []
  const broker = await Aedes.createBroker({
    acknowledgePublish: (client, packet, done) => held.push({ messageId: packet.messageId, done })
  })
  t.after(() => broker.close())
  const publisher = setup(broker)
  await connect(publisher, { connect: { clientId: 'publisher' } })
  for (let i = 1; i <= 3; i++) {
    publisher.inStream.write({ cmd: 'publish', topic: `data/${i}`, payload: String(i), qos: 1, messageId: i })
  }
  for (let n = 0; held.length < 3 && n < 1000; n++) await new Promise((resolve) => setImmediate(resolve))
  t.assert.deepEqual(held.map((h) => h.messageId), [1, 2, 3], 'asked in the order published')
  const first = nextPacket(publisher)
  const early = await Promise.race([first, delay(50).then(() => 'nothing yet')])
  t.assert.equal(early, 'nothing yet', 'no PUBACK before done()')
  // released one at a time: the helper's reader loses packets that arrive in one chunk
  for (let i = 1; i <= 3; i++) {
    held[i - 1].done()
    const packet = i === 1 ? await first : await nextPacket(publisher)
    t.assert.equal(packet.cmd, 'puback')
    t.assert.equal(packet.messageId, i)
  }
  // QoS 2 is acknowledged (PUBREC) without asking
  publisher.inStream.write({ cmd: 'publish', topic: 'data/2', payload: '2', qos: 2, messageId: 9 })
  t.assert.equal((await nextPacket(publisher)).cmd, 'pubrec')
  t.assert.equal(held.length, 3)
})

test('acknowledgePublish: done(error) ends the connection without the PUBACK; the message was delivered', async (t) => {
  const { broker, publisher, subscriber } = await pubSub(t, {
    acknowledgePublish: (client, packet, done) => done(new Error('not on a replica'))
  })
  const errors = []
  broker.on('clientError', (client, err) => errors.push([client.id, err.message]))
  const closed = new Promise((resolve) => publisher.conn.once('close', resolve))
  publisher.inStream.write({ cmd: 'publish', topic: 'data/x', payload: 'x', qos: 1, messageId: 5 })
  const packet = await nextPacket(subscriber)
  t.assert.equal(packet.topic, 'data/x')
  await closed
  t.assert.equal(await nextPacketWithTimeOut(publisher, 50), null, 'no PUBACK')
  t.assert.deepEqual(errors, [['publisher', 'not on a replica']])
})
