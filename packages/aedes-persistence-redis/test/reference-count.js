'use strict'
// firehose: the packet's reference count goes down only when a queue entry is removed
// (asyncPersistence.js outgoingClearMessageId). Starts its own redis-server on a unix socket (no
// port) in a temporary directory, and stops it.
const { test, before, after } = require('node:test')
const { spawn } = require('node:child_process')
const { mkdtempSync, rmSync, existsSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { setTimeout: sleep } = require('node:timers/promises')
const Redis = require('ioredis')
const persistence = require('../asyncPersistence.js')

let dir
let server
let socket

before(async () => {
  const { systemProgram } = await import('../../../tests/support/src/system-programs.mjs')
  dir = mkdtempSync(join(tmpdir(), 'firehose-persistence-redis-'))
  socket = join(dir, 'redis.sock')
  server = spawn(systemProgram('redis-server'), [
    '--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir
  ], { stdio: 'ignore' })
  for (let i = 0; i < 300 && !existsSync(socket); i++) await sleep(100)
  if (!existsSync(socket)) throw new Error(`redis-server did not open ${socket} within 30 s`)
})

after(() => {
  server?.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

async function store () {
  const conn = new Redis({ path: socket })
  await conn.flushall()
  const instance = new persistence({ conn })
  // These tests publish no subscriptions: the broker's subscribe and unsubscribe only have to answer.
  const done = (_topic, _listener, cb) => cb()
  await instance.setup({ id: 'broker-a', subscribe: done, unsubscribe: done, publish: (_packet, cb) => cb() })
  return { instance, conn }
}

function packetFor (brokerCounter, qos) {
  return { cmd: 'publish', topic: 't', payload: Buffer.from('p'), qos, retain: false, brokerId: 'broker-a', brokerCounter }
}

async function queued (instance, clientId) {
  const packets = []
  for await (const packet of instance.outgoingStream({ id: clientId })) packets.push(packet)
  return packets
}

test('a second PUBACK of a packet already acknowledged does not remove it from the other subscribers', async (t) => {
  const { instance, conn } = await store()
  t.after(() => instance.destroy())
  const a = { id: 'a' }
  const b = { id: 'b' }
  const packet = packetFor(1, 1)
  await instance.outgoingEnqueueCombi([{ clientId: 'a' }, { clientId: 'b' }], packet)

  // a gets it, acknowledges it; then the same packet is sent to a again (a resend after a
  // reconnect) and acknowledged again: a's queue no longer holds it the second time.
  await instance.outgoingUpdate(a, { ...packet, messageId: 7 })
  await instance.outgoingClearMessageId(a, { messageId: 7 })
  await instance.outgoingUpdate(a, { ...packet, messageId: 7 })
  await instance.outgoingClearMessageId(a, { messageId: 7 })

  t.assert.deepEqual((await queued(instance, 'a')).length, 0, 'a has nothing left')
  const forB = await queued(instance, 'b')
  t.assert.equal(forB.length, 1, 'b still has the packet queued')
  t.assert.equal(Buffer.from(forB[0].payload).toString(), 'p')
  t.assert.equal(await conn.get('packet:broker-a:1:offlineCount'), '1', 'one queue holds it: the count says 1')

  await instance.outgoingUpdate(b, { ...packet, messageId: 3 })
  await instance.outgoingClearMessageId(b, { messageId: 3 })
  t.assert.equal(await conn.exists('packet:broker-a:1', 'packet:broker-a:1:offlineCount'), 0, 'the last PUBACK deletes it')
})

test('a QoS 2 packet released by its PUBCOMP leaves its queue and the count once', async (t) => {
  const { instance, conn } = await store()
  t.after(() => instance.destroy())
  const a = { id: 'a' }
  const packet = packetFor(2, 2)
  await instance.outgoingEnqueueCombi([{ clientId: 'a' }, { clientId: 'b' }], packet)
  await instance.outgoingUpdate(a, { ...packet, messageId: 9 })
  await instance.outgoingUpdate(a, { cmd: 'pubrel', messageId: 9 })
  await instance.outgoingClearMessageId(a, { messageId: 9 })

  t.assert.equal((await queued(instance, 'a')).length, 0, 'the PUBREL entry left a\'s queue')
  t.assert.equal((await queued(instance, 'b')).length, 1, 'b still has the packet queued')
  t.assert.equal(await conn.get('packet:broker-a:2:offlineCount'), '1')
})
