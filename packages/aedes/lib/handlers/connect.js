import { randomUUID } from 'node:crypto'
import { pipeline } from 'stream'
import write from '../write.js'
import QoSPacket from '../qos-packet.js'
import { grantedQoS, noop, runSeries, through } from '../utils.js'
import handleSubscribe from './subscribe.js'

class Connack {
  constructor (arg) {
    this.cmd = 'connack'
    this.returnCode = arg.returnCode
    this.sessionPresent = arg.sessionPresent
  }
}

class ClientPacketStatus {
  constructor (client, packet) {
    this.client = client
    this.packet = packet
  }
}

const connectActions = [
  authenticate,
  setKeepAlive,
  fetchSubs,
  restoreSubs,
  storeWill,
  registerClient,
  cleanIncoming,
  doConnack,
  emptyQueue
]

const errorMessages = [
  '',
  'unacceptable protocol version',
  'identifier rejected',
  'Server unavailable',
  'bad user name or password',
  'not authorized',
  'keep alive limit exceeded'
]

function handleConnect (client, packet, done) {
  clearTimeout(client._connectTimer)
  client._connectTimer = null
  client.connecting = true
  client.broker.preConnect(client, packet, negate)

  function negate (err, successful) {
    if (!err && successful === true) {
      setImmediate(init, client, packet, done)
    } else {
      client.connecting = false
      done(err)
    }
  }
}

function init (client, packet, done) {
  const clientId = packet.clientId
  let returnCode = 0
  // [MQTT-3.1.2-2]
  if (packet.protocolVersion < 3 || packet.protocolVersion > 4) {
    returnCode = 1
  }
  // MQTT 3.1.0 allows <= 23 client id length
  if (packet.protocolVersion === 3 && clientId.length > client.broker.maxClientsIdLength) {
    returnCode = 2
  }
  // check if the client keepalive is compatible with broker settings
  if (client.broker.keepaliveLimit && (!packet.keepalive || packet.keepalive > client.broker.keepaliveLimit)) {
    returnCode = 6
  }
  if (returnCode > 0) {
    const error = new Error(errorMessages[returnCode])
    error.errorCode = returnCode
    doConnack(
      { client, returnCode, sessionPresent: false },
      done.bind(this, error))
    return
  }

  client.id = clientId || 'aedes_' + randomUUID()
  client.clean = packet.clean
  client.version = packet.protocolVersion
  client._will = packet.will

  runSeries(
    new ClientPacketStatus(client, packet),
    connectActions,
    { returnCode: 0, sessionPresent: false }, // [MQTT-3.1.4-4], [MQTT-3.2.2-4]
    function (err) {
      this.client.connecting = false
      if (!err) {
        this.client.connected = true
        this.client.broker.emit('clientReady', client)
        // firehose: was a once('connected') listener of the client (see lib/client.js)
        this.client._dequeue()
        this.client.emit('connected')
      }
      done(err)
    })
}

function authenticate (arg, done) {
  const client = this.client
  client.pause()
  client.broker.authenticate(
    client,
    this.packet.username,
    this.packet.password,
    negate)

  function negate (err, successful) {
    if (client.closed || client.broker.closed) {
      // a hack, sometimes client.close() or broker.close() happened
      // before authenticate() comes back
      // we stop here for not to register it and deregister it in write()
      return
    }
    if (!err && successful) {
      client._authorized = true
      return done()
    }

    if (err) {
      const errCode = err.returnCode
      if (errCode && (errCode >= 2 && errCode <= 5)) {
        arg.returnCode = errCode
      } else {
        arg.returnCode = 5
      }
      if (!err.message) {
        err.message = errorMessages[arg.returnCode]
      }
    } else {
      arg.returnCode = 5
      err = new Error(errorMessages[arg.returnCode])
    }
    err.errorCode = arg.returnCode
    arg.client = client
    doConnack(arg,
      // [MQTT-3.2.2-5]
      client.close.bind(client, done.bind(this, err)))
  }
}

function setKeepAlive (arg, done) {
  if (this.packet.keepalive > 0) {
    const client = this.client

    function keepaliveTimeout () {
      client.broker.emit('keepaliveTimeout', client)
      client.emit('error', new Error('keep alive timeout'))
    }
    // [MQTT-3.1.2-24]
    client._keepaliveInterval = (this.packet.keepalive * 1500) + 1
    client._keepaliveTimer = setTimeout(keepaliveTimeout, client._keepaliveInterval)
  }
  done()
}

function fetchSubs (arg, done) {
  const client = this.client
  if (!this.packet.clean) {
    const subsClient = {
      id: client.id,
      done,
      arg
    }
    client.broker.persistence.subscriptionsByClient({ id: client.id })
      .then(subs => gotSubs(subs, subsClient), subsClient.done)
    return
  }
  arg.sessionPresent = false // [MQTT-3.2.2-1]
  client.broker.persistence.cleanSubscriptions(client)
    .then(() => done(null), done)
}

// [MQTT-3.1.2-6]: the inbound QoS 2 dedup store is session state too, but
// cleanSubscriptions runs before registerClient and this must run after it —
// the takeover of a previous client with the same id happens there, and its
// in-flight incomingStorePacket would otherwise land after the wipe.
function cleanIncoming (arg, done) {
  const client = this.client
  if (!this.packet.clean) {
    return done(null)
  }
  const persistence = client.broker.persistence
  // feature-detected so a persistence predating cleanIncoming keeps working;
  // wrapped so a synchronous throw rejects here rather than escaping runSeries,
  // which has no try/catch, as an uncaught exception
  Promise.resolve()
    .then(() => typeof persistence.cleanIncoming === 'function' && persistence.cleanIncoming(client))
    .then(() => done(null), done)
}

function gotSubs (subs, client) {
  client.arg.subs = subs.length > 0 ? subs : null
  client.done()
}

function restoreSubs (arg, done) {
  // firehose: from the moment its subscriptions are live, a persistent session's new messages
  // (and direct client.publish() calls) wait behind its stored queue; see emptyQueue
  if (!this.client.clean) this.client._heldLive = []
  if (arg.subs) {
    handleSubscribe(this.client, { subscriptions: arg.subs }, true, done)
    arg.sessionPresent = !!arg.subs // cast to boolean, [MQTT-3.2.2-2]
    return
  }
  arg.sessionPresent = false // [MQTT-3.2.2-1], [MQTT-3.2.2-3]
  done()
}

function storeWill (arg, done) {
  const client = this.client
  client.will = client._will
  // delete any existing will messages from persistence
  client.broker.persistence.delWill(client)
    .finally(() => {
      if (client.will) {
        client.broker.persistence.putWill(client, client.will)
          .then(() => done(null, client), done)
      } else {
        done()
      }
    })
}

function registerClient (arg, done) {
  const client = this.client
  client.broker.registerClient(client)
  done()
}

function doConnack (arg, done) {
  const client = arg.client || this.client
  const connack = new Connack(arg)
  write(client, connack, function (err) {
    if (!err) {
      client.broker.emit('connackSent', connack, client)
      client.connackSent = true
    }
    done(err)
  })
}

// push any queued messages (included retained messages) at the disconnected time
// when QoS > 0 and session is true
function emptyQueue (arg, done) {
  const client = this.client
  const persistence = client.broker.persistence
  const outgoing = persistence.outgoingStream(client)

  client.resume()

  const sent = new Set()
  pipeline(
    outgoing,
    through(function clearQueue (data, enc, next) {
      sent.add(storedKey(data))
      const packet = new QoSPacket(data, client)
      // [MQTT-3.3.5-1] queued at the published QoS, delivered at most at the granted one (a stored
      // PUBREL has no topic: it resumes a QoS 2 delivery [MQTT-4.4.0-1])
      if (packet.cmd === 'publish') {
        const granted = grantedQoS(client, packet.topic)
        if (granted > 0 && granted < packet.qos) packet.qos = granted
      }
      // Here we are deliberatly passing only the error
      // This is because there is no destination stream so the "client"
      // Object filled the buffer up to the highWaterMark preventing stored messages
      // being sent
      packet.writeCallback = (error, _client) => next(error)
      const filter = (err) => emptyQueueFilter(err, client, packet)
      persistence.outgoingUpdate(client, packet)
        .then(() => filter(null, client, packet), err => filter(err, client, packet))
    }),
    function drained (err) {
      // then the live messages that arrived meanwhile, minus those the stored queue already held
      const held = client._heldLive
      client._heldLive = null
      if (!err && held !== null) {
        for (const packet of held) {
          if (!sent.has(storedKey(packet))) client._forwardQoS(packet, noop)
        }
      }
      done(err)
    }
  )
}

// firehose: a connected persistent session's stored queue once more, then the live messages that
// arrived meanwhile, each once, as at its reconnect (emptyQueue). For a cluster whose emitter lost
// messages while the session stayed connected (see Aedes#resendStoredQueues). Not for a session
// whose connect is still sending its queue: that send reads the store already. Calls back with
// whether it resent.
export function resendStoredQueue (client, done) {
  if (client.clean || !client.connected || client.closed || client._heldLive !== null) {
    return done(null, false)
  }
  client._heldLive = []
  emptyQueue.call({ client }, null, (err) => done(err, !err))
}

function storedKey (packet) {
  return packet.brokerId + ':' + packet.brokerCounter
}

function emptyQueueFilter (err, client, packet) {
  const next = packet.writeCallback

  if (err) {
    client.emit('error', err)
    return next()
  }

  const authorized = (packet.cmd === 'publish')
    ? client.broker.authorizeForward(client, packet)
    : true

  const persistence = client.broker.persistence

  if (client.clean || !authorized) {
    persistence.outgoingClearMessageId(client, packet)
      .then(packet => next(null, packet), next)
  } else {
    write(client, packet, next)
  }
}

export default handleConnect
