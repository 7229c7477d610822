import EventEmitter from 'node:events'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import Packet from 'aedes-packet'
import memory from '@firehose/aedes-persistence'
import mqemitter from 'mqemitter'
import Client from './lib/client.js'
import { resendStoredQueue } from './lib/handlers/connect.js'
import { SharedSubscriptions } from './lib/shared.js'
import { $SYS_PREFIX, InOrder, batch, dedupeByClient, noop, runSeries, topicLevelCount } from './lib/utils.js'
import pkg from './package.json' with { type: 'json' }

const defaultOptions = {
  concurrency: 100,
  heartbeatInterval: 60000, // 1 minute
  connectTimeout: 30000, // 30 secs
  drainTimeout: 60000, // 60 secs - protects against slow/frozen clients by default, set to 0 to disable
  decodeProtocol: null,
  preConnect: defaultPreConnect,
  authenticate: defaultAuthenticate,
  authorizePublish: defaultAuthorizePublish,
  authorizeSubscribe: defaultAuthorizeSubscribe,
  authorizeForward: defaultAuthorizeForward,
  published: defaultPublished,
  // firehose: see Aedes#publish and emitPacket
  divertPublish: defaultDivertPublish,
  beforeDeliver: null,
  // firehose: (client, packet, done) before a QoS 1 PUBACK: done() sends it, done(err) ends the
  // connection without it; called in the publisher's order, and done must keep that order
  acknowledgePublish: null,
  // firehose: whether a shared-subscription member can take another message now (lib/shared.js);
  // null = its connection does not need a drain
  sharedCanTake: null,
  // firehose: groups spanning the brokers of a cluster (lib/shared.js); null = per broker
  sharedCluster: null,
  trustProxy: false,
  trustedProxies: [],
  queueLimit: 42,
  // Hard cap on concurrent inbound in-flight QoS 2 PUBLISH per client (packets
  // stored awaiting PUBREL). Bounds the per-client incoming persistence map so
  // half-open QoS 2 handshakes cannot grow it toward its 16-bit messageId
  // ceiling. Well above what a pipelining publisher reaches, because MQTT
  // 3.1.1 has no way to advertise the window to the client. 0 = unlimited.
  maxInflightInbound: 1000,
  maxClientsIdLength: 23,
  maxTopicLevels: 100,
  keepaliveLimit: 0
}
const version = pkg.version

// firehose: which of the fork's fixes this copy carries (see README.md); raised with each new fix.
// @firehose/broker refuses to start on a copy without the ones it needs.
export const FIREHOSE_FIXES = 5
export { parseShare } from './lib/shared.js'

// Hard ceiling for maxTopicLevels: the bundled mqemitter and aedes-persistence
// build qlobber with its default max_words of 100 and aedes cannot raise it, so
// a larger value would pass our guard yet still throw `too many words` in the
// matcher. Clamp to [1, MAX_TOPIC_LEVELS] to keep the option safe.
const MAX_TOPIC_LEVELS = 100

export class Aedes extends EventEmitter {
  constructor (opts) {
    super()
    const that = this

    opts = Object.assign({}, defaultOptions, opts)
    this.opts = opts
    this.id = opts.id || randomUUID()
    // +1 when construct a new aedes-packet
    // internal track for last brokerCounter
    this.counter = 0
    this._publishOrder = new InOrder()
    this.queueLimit = opts.queueLimit
    // clamp: a negative/NaN value must not silently disable the bound. Only an
    // explicit 0 opts out.
    this.maxInflightInbound = Number.isInteger(opts.maxInflightInbound) && opts.maxInflightInbound >= 0
      ? opts.maxInflightInbound
      : defaultOptions.maxInflightInbound
    this.connectTimeout = opts.connectTimeout
    this.keepaliveLimit = opts.keepaliveLimit
    this.maxClientsIdLength = opts.maxClientsIdLength
    // clamp to a safe [1, 100] range; see MAX_TOPIC_LEVELS
    this.maxTopicLevels = Math.min(Math.max(opts.maxTopicLevels, 1), MAX_TOPIC_LEVELS)
    this.mq = opts.mq || mqemitter({
      concurrency: opts.concurrency,
      matchEmptyLevels: true // [MQTT-4.7.1-3]
    })
    this.handle = function handle (conn, req) {
      conn.setMaxListeners(opts.concurrency * 2)
      // create a new Client instance for a new connection
      // return, just to please standard
      return new Client(that, conn, req)
    }

    this.preConnect = opts.preConnect
    this.authenticate = opts.authenticate
    this.authorizePublish = opts.authorizePublish
    this.authorizeSubscribe = opts.authorizeSubscribe
    this.authorizeForward = opts.authorizeForward
    this.published = opts.published
    this.divertPublish = opts.divertPublish
    this.beforeDeliver = opts.beforeDeliver
    this.acknowledgePublish = opts.acknowledgePublish
    // firehose: `$share/<group>/<filter>` groups (lib/shared.js)
    this._shared = new SharedSubscriptions(this, opts.sharedCanTake, opts.sharedCluster)

    this.decodeProtocol = opts.decodeProtocol
    this.trustProxy = opts.trustProxy
    this.trustedProxies = opts.trustedProxies

    // GHSA-52qw-whmv-87c5: keyed by Client ID / broker id from the wire, so an
    // inherited name ('constructor', '__proto__', ...) must read back as absent
    this.clients = Object.create(null)
    this.brokers = Object.create(null)
    this.closed = true
  }

  async listen () {
    const opts = this.opts
    const that = this

    // metadata
    this.connectedClients = 0
    this.closed = false

    this.persistence = opts.persistence || memory()
    if (this.persistence.setup.constructor.name !== 'AsyncFunction') {
      throw new Error('persistence.setup() must be an async function')
    }
    await this.persistence.setup(this)

    const heartbeatTopic = $SYS_PREFIX + that.id + '/heartbeat'
    const birthTopic = $SYS_PREFIX + that.id + '/birth'

    this._heartbeatInterval = setInterval(heartbeat, opts.heartbeatInterval)

    const bufId = Buffer.from(that.id, 'utf8')

    // in a cluster env this is used to warn other broker instances
    // that this broker is alive
    that.publish({
      topic: birthTopic,
      payload: bufId
    }, noop)

    function heartbeat () {
      that.publish({
        topic: heartbeatTopic,
        payload: bufId
      }, noop)
    }

    async function _clearWills () {
      const pAuthorizePublish = promisify(that.authorizePublish).bind(that)
      const pPublish = promisify(that.publish).bind(that)
      const batchSize = 16 // default highWatermark for Writable in ObjectMode

      async function checkAndPublish (will) {
        const notPublish = that.brokers[will.brokerId] !== undefined && that.brokers[will.brokerId] + (3 * opts.heartbeatInterval) >= Date.now()
        if (notPublish) {
          return
        }
        // randomize this, so that multiple brokers
        // do not publish the same wills at the same time
        const client = that.clients[will.clientId] || null
        await pAuthorizePublish(client, will)
        await pPublish(will)
        await that.persistence.delWill({
          id: will.clientId,
          brokerId: will.brokerId
        })
      }

      // delete old brokers
      for (const broker in that.brokers) {
        if (that.brokers[broker] + (3 * opts.heartbeatInterval) < Date.now()) {
          delete that.brokers[broker]
        }
      }

      const wills = that.persistence.streamWill(that.brokers)
      for await (const promises of batch(wills, checkAndPublish, batchSize)) {
        await Promise.all(promises)
      }
    }

    this._clearWillInterval = setInterval(() => {
      _clearWills().catch(err => {
        that.emit('error', err)
      })
    }, opts.heartbeatInterval * 4)
    this.mq.on($SYS_PREFIX + '+/heartbeat', function storeBroker (packet, done) {
      that.brokers[packet.payload.toString()] = Date.now()
      done()
    })

    this.mq.on($SYS_PREFIX + '+/birth', function brokerBorn (packet, done) {
      const brokerId = packet.payload.toString()

      // reset duplicates counter
      if (brokerId !== that.id) {
        for (const clientId in that.clients) {
          delete that.clients[clientId].duplicates[brokerId]
        }
      }

      done()
    })

    this.mq.on($SYS_PREFIX + '+/new/clients', function closeSameClients (packet, done) {
      const serverId = packet.topic.split('/')[1]
      const clientId = packet.payload.toString()

      if (that.clients[clientId] && serverId !== that.id) {
        if (that.clients[clientId].closed) {
          // already closing: it unregisters itself when its close finishes
          done()
        } else {
          that.clients[clientId].close(done)
        }
      } else {
        done()
      }
    })
  }

  get version () {
    return version
  }

  static async createBroker (opts) {
    const aedes = new Aedes(opts)
    await aedes.listen()
    return aedes
  }

  // `accepted`, when given, runs once the message is stored and about to be delivered; `ticket`
  // is the place in the client's publishOrder() taken when the packet arrived (default: now)
  publish (packet, client, done, accepted, ticket) {
    if (typeof client === 'function') {
      accepted = done
      done = client
      client = null
    }
    // reject deeply nested topics before they reach qlobber (via mqemitter and
    // the persistence trie), whose synchronous `too many words` throw would
    // otherwise crash the broker. The protocol handlers validate the wire paths
    // earlier; this also covers the will publish and direct programmatic use.
    // See lib/utils.js#topicLevelCount.
    if (topicLevelCount(packet.topic) > this.maxTopicLevels) {
      return (done || noop)(new Error('topic has too many levels'))
    }
    // firehose: a diverted publish is acknowledged like any other (MQTT 3.1.1 has no negative
    // PUBACK, and a disconnect would make the publisher resend it) but neither stored nor delivered
    if (client && this.divertPublish(packet, client)) {
      if (ticket) client.publishOrder().ready(ticket, noop)
      if (accepted) accepted()
      if (done) done(null)
      return
    }
    const p = new Packet(packet, this)
    const publishFuncs = p.qos > 0 ? publishFuncsQoS : publishFuncsSimple

    // emitted in the order the publisher sent them, though their persistence steps race
    const state = new PublishState(this, client, packet)
    state.order = client ? client.publishOrder() : this._publishOrder
    state.ticket = ticket || state.order.take()
    state.accepted = accepted || null
    runSeries(state, publishFuncs, p, function published (err) {
      // a publish that failed before its emit must not hold up the ones behind it
      if (state.ticket.step === null) state.order.ready(state.ticket, noop)
      if (done) done.call(this, err)
    })
  }

  // firehose: each shared-subscription group on this broker, its members and deliveries
  sharedSubscriptions () {
    return this._shared.stats()
  }

  // firehose: a message another node of the cluster owned, for this node's members of group `key`
  // (`<group>/<filter>`); false when it has none
  sharedRedeliver (key, packet) {
    return this._shared.redeliver(key, packet)
  }

  // firehose: every connected persistent session on this broker gets its stored queue again, then
  // the live messages held meanwhile, each once. A cluster's emitter loses the messages published
  // while its subscription to them was being renewed (mqemitter-redis after a Redis failover:
  // other brokers publish on the new primary before this one has subscribed there); each was
  // stored for the session before it was published, so the stored queue has it. Messages in
  // flight are sent again (a duplicate, dup flag set). Resolves to how many sessions it resent.
  async resendStoredQueues () {
    const clients = Object.values(this.clients)
    let resent = 0
    await Promise.all(clients.map(client => new Promise((resolve) => {
      resendStoredQueue(client, (err, done) => {
        if (err) client.emit('error', err)
        else if (done) resent++
        resolve()
      })
    })))
    return resent
  }

  subscribe (topic, func, done) {
    // see publish(): guard against qlobber's synchronous `too many words` throw
    if (topicLevelCount(topic) > this.maxTopicLevels) {
      return (done || noop)(new Error('topic has too many levels'))
    }
    this.mq.on(topic, func, done)
  }

  unsubscribe (topic, func, done) {
    if (topicLevelCount(topic) > this.maxTopicLevels) {
      return (done || noop)(new Error('topic has too many levels'))
    }
    this.mq.removeListener(topic, func, done)
  }

  // Connections racing for one client id: upstream registered clients that had closed meanwhile,
  // overwrote live registrations and let a closing client delete another's entry, so duplicates
  // stayed connected [MQTT-3.1.4-2] and connectedClients drifted for good.
  registerClient (client) {
    // a client that closed while it waited has nothing to register
    if (client.closed || client._registered) return
    const existing = this.clients[client.id]
    // a closed one still listed unregisters itself once its close finishes
    if (existing === undefined || existing.closed) {
      this._finishRegisterClient(client)
      return
    }
    // [MQTT-3.1.4-2] close the existing client, then look again: another connection with this
    // id may have registered meanwhile
    const that = this
    existing.close(function closeClient () {
      that.registerClient(client)
    })
  }

  _finishRegisterClient (client) {
    this.connectedClients++
    this.clients[client.id] = client
    client._registered = true
    this.emit('client', client)
    this.publish({
      topic: $SYS_PREFIX + this.id + '/new/clients',
      payload: Buffer.from(client.id, 'utf8')
    }, noop)
  }

  unregisterClient (client) {
    client._registered = false
    this.connectedClients--
    // a connection that took this id over may hold the entry by now
    if (this.clients[client.id] === client) delete this.clients[client.id]
    this.emit('clientDisconnect', client)
    this.publish({
      topic: $SYS_PREFIX + this.id + '/disconnect/clients',
      payload: Buffer.from(client.id, 'utf8')
    }, noop)
  }

  deleteClient (clientId) {
    this.connectedClients--
    delete this.clients[clientId]
  }

  close (cb = noop) {
    const that = this
    if (this.closed) {
      return cb()
    }
    this.closed = true
    clearInterval(this._heartbeatInterval)
    clearInterval(this._clearWillInterval)
    const promises = []
    for (const clientId of Object.keys(this.clients)) {
      promises.push(closeClient(this.clients[clientId]))
    }
    Promise.all(promises).finally(() => {
      that.emit('closed')
      that.mq.close(cb)
    })
  }
}

function storeRetained (packet, done) {
  if (packet.retain) {
    this.broker.persistence.storeRetained(packet)
      .then(() => done(null), done)
  } else {
    done()
  }
}

function emitPacket (packet, done) {
  if (this.client) packet.clientId = this.client.id
  const mq = this.broker.mq
  const accepted = this.accepted
  const beforeDeliver = this.broker.beforeDeliver
  const client = this.client
  this.order.ready(this.ticket, () => {
    if (accepted !== null) accepted()
    // firehose: the moment the message is accepted, in its publisher's order, in the same
    // synchronous step that hands it to live delivery (the firehose broker numbers it here)
    if (beforeDeliver !== null) beforeDeliver(packet, client)
    mq.emit(packet, done)
  })
}

function enqueueOffline (packet, done) {
  const enqueuer = new DoEnqueues()

  enqueuer.complete = done
  enqueuer.packet = packet
  enqueuer.topic = packet.topic
  enqueuer.broker = this.broker
  this.broker.persistence.subscriptionsByTopic(packet.topic)
    .then(subs => enqueuer.done(null, subs), enqueuer.done)
}

class DoEnqueues {
  constructor () {
    this.next = null
    this.complete = null
    this.packet = null
    this.topic = null
    this.broker = null

    const that = this

    this.done = function doneEnqueue (err, subs) {
      const broker = that.broker

      if (err) {
        // is this really recoverable?
        // let's just error the whole aedes
        // https://nodejs.org/api/events.html#events_error_events
        broker.emit('error', err)
        return
      }

      if (that.topic.indexOf($SYS_PREFIX) === 0) {
        subs = subs.filter(removeSharp)
      }
      subs = dedupeByClient(subs)

      const packet = that.packet
      const complete = that.complete

      that.packet = null
      that.complete = null
      that.topic = null

      broker.persistence.outgoingEnqueueCombi(subs, packet)
        .then(() => complete(null), complete)
    }
  }
}

// + is 43
// # is 35
function removeSharp (sub) {
  const code = sub.topic.charCodeAt(0)
  return code !== 43 && code !== 35
}

function callPublished (_, done) {
  this.broker.published(this.packet, this.client, done)
  this.broker.emit('publish', this.packet, this.client)
}

const publishFuncsSimple = [
  storeRetained,
  emitPacket,
  callPublished
]
const publishFuncsQoS = [
  storeRetained,
  enqueueOffline,
  emitPacket,
  callPublished
]

async function closeClient (clientInstance) {
  return new Promise((resolve) => {
    clientInstance.close(resolve)
  })
}

function defaultPreConnect (client, packet, callback) {
  callback(null, true)
}

function defaultAuthenticate (client, username, password, callback) {
  callback(null, true)
}

function defaultAuthorizePublish (client, packet, callback) {
  if (packet.topic.startsWith($SYS_PREFIX)) {
    return callback(new Error($SYS_PREFIX + ' topic is reserved'))
  }
  callback(null)
}

function defaultAuthorizeSubscribe (client, sub, callback) {
  callback(null, sub)
}

function defaultAuthorizeForward (client, packet) {
  return packet
}

function defaultDivertPublish (packet, client) {
  return false
}

function defaultPublished (packet, client, callback) {
  callback(null)
}

class PublishState {
  constructor (broker, client, packet) {
    this.broker = broker
    this.client = client
    this.packet = packet
    this.order = null
    this.ticket = null
    this.accepted = null
  }
}

function warnMigrate () {
  throw new Error(
    ` Aedes default export has been removed.
 Use 'const aedes = await Aedes.createBroker()' instead.
 See: https://github.com/moscajs/aedes/docs/MIGRATION.MD
 `)
}

export default warnMigrate
