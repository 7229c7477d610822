import mqtt from 'mqtt-packet'
import EventEmitter from 'node:events'
import util from 'util'
import Packet from 'aedes-packet'
import write from './write.js'
import QoSPacket from './qos-packet.js'
import handleSubscribe from './handlers/subscribe.js'
import handleUnsubscribe from './handlers/unsubscribe.js'
import handle from './handlers/index.js'
import { pipeline } from 'stream'
import { BufferList } from 'bl'
import { InOrder, through, grantedQoS } from './utils.js'

class Client {
  constructor (broker, conn, req) {
    const that = this

    // metadata
    this.closed = false
    this.connecting = false
    this.connected = false
    this.connackSent = false
    this.errored = false

    // mqtt params
    this.id = null
    this.clean = true
    this.version = null

    // GHSA-52qw-whmv-87c5: keyed by topic filter / broker id from the wire, so an
    // inherited name ('constructor', '__proto__', ...) must read back as absent
    this.subscriptions = Object.create(null)
    // firehose: `duplicates` is created on first use (see its getter): an object without a
    // prototype is a dictionary in V8, ~180 bytes even when empty
    this._duplicates = null
    // a persistent session's QoS > 0 writes wait for their store update; this keeps them in order
    // (firehose: created on first use, see the `_deliverOrder` getter)
    this._deliverOrderQueue = null
    // live QoS > 0 messages held while a persistent session's stored queue is sent (see emptyQueue)
    this._heldLive = null

    this.broker = broker
    this.conn = conn
    conn.client = this

    this._disconnected = false
    this._authorized = false
    // set while the broker lists it in `clients` (registerClient .. unregisterClient)
    this._registered = false
    this._parsingBatch = 1
    this._nextId = Math.ceil(Math.random() * 65535)
    // Count of inbound QoS 2 PUBLISH currently stored awaiting PUBREL. Bounds
    // the per-client incoming persistence map against half-open QoS 2 flooding;
    // see the receive-window guard in lib/handlers/publish.js.
    // (firehose: created on first use, see the `_inboundInflight` getter)
    this._inboundInflightSet = null

    // Drain timeout tracking - coalesced timer approach
    // (firehose: _pendingDrains is null until a callback waits)
    this._drainTimer = null
    this._pendingDrains = null

    this.req = req
    this.connDetails = req ? req.connDetails : null

    // we use two variables for the will
    // because we store in _will while
    // we are authenticating
    this.will = null
    this._will = null

    // firehose: the client's and the parser's listener tables start as objects V8 keeps in fast
    // mode; EventEmitter's own (`{ __proto__: null }`) is a dictionary of ~180 bytes
    this._events = new Listeners()
    this._eventsCount = 0
    this._parser = mqtt.parser()
    this._parser._events = new Listeners()
    // firehose: a plain BufferList instead of mqtt-packet's BufferListStream (a Duplex, ~700 bytes of
    // stream state per client); the parser only appends, reads and consumes
    this._parser._list = new BufferList()
    this._parser.client = this
    this._parser._queue = [] // queue packets received before client fires 'connect' event. Prevents memory leaks on 'connect' event
    this._parser.on('packet', enqueue)
    // firehose: the connect handler calls _dequeue just before it emits 'connected' (a once()
    // listener, deleted when it fires, would turn the listener table into a dictionary)

    function nextBatch (err) {
      if (err) {
        that.emit('error', err)
        return
      }

      const client = that

      if (client._paused) {
        return
      }

      that._parsingBatch--
      if (that._parsingBatch <= 0) {
        that._parsingBatch = 0
        const buf = client.conn.read(null)
        if (buf) {
          client._parser.parse(buf)
        }
      }
    }
    this._nextBatch = nextBatch

    // firehose: the listeners below are shared functions that find their client as `conn.client`
    // (`this` is the emitter), not bound functions or closures per client; likewise deliver0,
    // deliverQoS, deliverShared and _forwardQoS are methods of the class, not closures made in
    // the constructor. An idle connection costs that much less memory.
    conn.on('readable', nextBatch)

    this.on('error', this._onError)
    conn.on('error', emitConnError)
    this._parser.on('error', emitParserError)

    conn.on('end', closeOnConnEnd)
    // firehose: instead of stream.finished() (seven closures and a context per client): 'end' above,
    // 'error' (emitted as the client's error, which closes it) and 'close' cover every way the
    // stream ends; a stream destroyed before it got here is closed on the next tick, as finished()
    // would
    conn.on('close', closeOnConnEnd)
    if (conn.destroyed) process.nextTick(closeOnConnEnd.bind(conn))

    // firehose: shared-subscription messages written and not yet acknowledged, by message id
    // (created on first use, see the `_sharedInflight` getter)
    this._sharedInflightMap = null

    this._keepaliveTimer = null
    this._keepaliveInterval = -1

    this._connectTimer = setTimeout(function () {
      that.emit('error', new Error('connect did not arrive in time'))
    }, broker.connectTimeout)
  }

  // firehose: created on first use (an idle connection never needs them)
  get duplicates () {
    return (this._duplicates ??= Object.create(null))
  }

  get _deliverOrder () {
    return (this._deliverOrderQueue ??= new InOrder())
  }

  get _inboundInflight () {
    return (this._inboundInflightSet ??= new Set())
  }

  get _sharedInflight () {
    return (this._sharedInflightMap ??= new Map())
  }

  _getToForwardPacket (_packet) {
    // Mqttv5 3.8.3.1: https://docs.oasis-open.org/mqtt/mqtt/v5.0/mqtt-v5.0.html#_Toc3901169
    // prevent to forward messages sent by the same client when no-local flag is set
    if (_packet.clientId === this.id && _packet.nl) return

    const toForward = dedupe(this, _packet) &&
      this.broker.authorizeForward(this, _packet)

    return toForward
  }

  deliver0 (_packet, cb) {
    const that = this
    const toForward = this._getToForwardPacket(_packet)

    if (toForward) {
      // Give nodejs some time to clear stacks, or we will see
      // "Maximum call stack size exceeded" in a very high load
      setImmediate(() => {
        const packet = new Packet(toForward, that.broker)
        packet.qos = 0
        write(that, packet, function (err) {
          that._onError(err)
          cb() // don't pass the error here or it will be thrown by mqemitter
        })
      })
    } else {
      setImmediate(cb)
    }
  }

  deliverQoS (_packet, cb) {
    // [MQTT-3.3.5-1] deliver at min(published QoS, highest QoS granted by a matching
    // subscription); _packet is this delivery's own copy
    if (_packet.qos > 0) {
      const granted = grantedQoS(this, _packet.topic)
      if (granted >= 0 && granted < _packet.qos) _packet.qos = granted
    }
    // downgrade to qos0 if requested by publish
    if (_packet.qos === 0) {
      this.deliver0(_packet, cb)
      return
    }
    const toForward = this._getToForwardPacket(_packet)

    if (toForward) {
      // the session's stored queue goes first [MQTT-4.6.0-6]: until emptyQueue has sent it, a live
      // message (already stored for this session) waits, and the publisher is not held up
      if (this._heldLive !== null && !this.clean && !toForward.retain) {
        this._heldLive.push(toForward)
        setImmediate(cb)
        return
      }
      this._forwardQoS(toForward, cb)
    } else if (this.clean === false) {
      this.broker.persistence.outgoingClearMessageId(this, _packet)
        .then(noop, noop)
      // we consider this to be an error, since the packet is undefined
      // so there's nothing to send
      setImmediate(cb)
    } else {
      setImmediate(cb)
    }
  }

  // firehose: a delivery for a shared subscription (lib/shared.js), at the QoS the group chose.
  // Not deduplicated against the client's other subscriptions (each subscription gets its copy,
  // MQTT 5 4.8.2) and not stored for a persistent session: the group, not the session, answers
  // for it. `sent` gets the QoS 1 packet with its message id before it is written. Returns
  // false when authorizeForward refuses the message for this client.
  deliverShared (_packet, cb, sent) {
    const that = this
    const toForward = _packet.clientId === this.id && _packet.nl
      ? null
      : this.broker.authorizeForward(this, _packet)
    if (!toForward) return false
    if (toForward.qos === 0) {
      setImmediate(() => {
        const packet = new Packet(toForward, that.broker)
        packet.qos = 0
        write(that, packet, function (err) {
          that._onError(err)
          cb()
        })
      })
      return true
    }
    const ticket = this._deliverOrder.take()
    setImmediate(() => {
      const packet = new QoSPacket(toForward, that)
      packet.writeCallback = cb
      sent(packet)
      that._deliverOrder.ready(ticket, () => writeQoS(null, that, packet))
    })
    return true
  }

  _forwardQoS (toForward, cb) {
    const that = this
    const ticket = this._deliverOrder.take()
    setImmediate(() => {
      const packet = new QoSPacket(toForward, that)
      packet.writeCallback = cb
      const doWriteQoS = (err = null) => that._deliverOrder.ready(ticket, () => writeQoS(err, that, packet))
      if (that.clean || packet.retain) {
        doWriteQoS()
      } else {
        that.broker.persistence.outgoingUpdate(that, packet)
          .then(doWriteQoS, doWriteQoS)
      }
    })
  }

  _onError (err) {
    if (!err) return

    this.errored = true
    this.conn.removeAllListeners('error')
    this.conn.on('error', noop)
    // hack to clean up the write callbacks in case of error
    if (!this.conn.destroyed) {
      this.conn.destroy(err)
    }
    this.broker.emit(this.id ? 'clientError' : 'connectionError', this, err)
    this.close()
  }

  publish (message, done) {
    const packet = new Packet(message, this.broker)
    const that = this
    if (packet.qos === 0) {
      // skip offline and send it as it is
      this.deliver0(packet, done)
      return
    }

    if (!this.clean && this.id) {
      this.broker.persistence.outgoingEnqueue({ clientId: this.id }, packet)
        .then(() => that.deliverQoS(packet, done), done)
    } else {
      that.deliverQoS(packet, done)
    }
  }

  subscribe (packet, done) {
    if (!packet.subscriptions) {
      if (!Array.isArray(packet)) {
        packet = [packet]
      }
      packet = {
        subscriptions: packet
      }
    }
    handleSubscribe(this, packet, false, done)
  }

  unsubscribe (packet, done) {
    if (!packet.unsubscriptions) {
      if (!Array.isArray(packet)) {
        packet = [packet]
      }
      packet = {
        unsubscriptions: packet
      }
    }
    handleUnsubscribe(this, packet, done)
  }

  /**
   * Handle successful drain - socket is writable again
   * Clears timer and completes all pending drain callbacks
   */
  _handleDrain () {
    // Clear the single per-client timer
    if (this._drainTimer) {
      clearTimeout(this._drainTimer)
      this._drainTimer = null
    }

    // Complete all pending drain callbacks
    const pending = this._pendingDrains ?? []
    this._pendingDrains = null
    for (let i = 0; i < pending.length; i++) {
      setImmediate(pending[i], null, this)
    }
  }

  /**
   * Handle drain timeout - client failed to drain within timeout
   * Disconnects the client and fails all pending callbacks
   */
  _handleDrainTimeout () {
    this._drainTimer = null

    // Remove drain listener to prevent it firing after disconnect
    if (this._onDrainBound) {
      this.conn.removeListener('drain', this._onDrainBound)
    }

    // Fail all pending callbacks
    const error = new Error('drain timeout')
    const pending = this._pendingDrains ?? []
    this._pendingDrains = null
    for (let i = 0; i < pending.length; i++) {
      setImmediate(pending[i], error, this)
    }

    // Disconnect the slow client
    this.conn.destroy(error)
  }

  /**
   * Register a callback to be called when socket drains
   * Uses per-client coalesced timer to reduce timer overhead
   * @param {Function} callback - called with (err, client)
   */
  waitForDrain (callback) {
    const drainTimeout = this.broker?.opts?.drainTimeout

    if (drainTimeout > 0) {
      // Per-client coalesced timer approach:
      // Only create ONE timer per client, regardless of pending writes

      // Add this callback to pending queue
      (this._pendingDrains ??= []).push(callback)

      // If no timer exists, create one and set up drain listener
      if (!this._drainTimer) {
        // Create bound drain handler (if not already created)
        if (!this._onDrainBound) {
          this._onDrainBound = this._handleDrain.bind(this)
        }

        // Set up single drain listener
        this.conn.once('drain', this._onDrainBound)

        // Create single timer for this client
        this._drainTimer = setTimeout(
          this._handleDrainTimeout.bind(this),
          drainTimeout
        )
        this._drainTimer.unref() // Don't keep process alive
      }
      // else: timer already running, just queued the callback
    } else {
      // Without drain timeout: wait indefinitely (original behavior)
      this.conn.once('drain', callback)
    }
  }

  close (done) {
    if (this.closed) {
      if (typeof done === 'function') {
        done()
      }
      return
    }

    const that = this
    const conn = this.conn

    this.closed = true

    this._parser.removeAllListeners('packet')
    conn.removeAllListeners('readable')

    this._parser._queue = null

    if (this._keepaliveTimer) {
      clearTimeout(this._keepaliveTimer)
      this._keepaliveInterval = -1
      this._keepaliveTimer = null
    }

    if (this._connectTimer) {
      clearTimeout(this._connectTimer)
      this._connectTimer = null
    }

    // Clean up drain timeout timer, listener, and flush pending callbacks
    if (this._drainTimer) {
      clearTimeout(this._drainTimer)
      this._drainTimer = null
    }
    if (this._onDrainBound) {
      this.conn.removeListener('drain', this._onDrainBound)
    }
    // Flush pending drain callbacks with connection closed error
    const pending = this._pendingDrains
    this._pendingDrains = null
    if (pending !== null) {
      const error = new Error('connection closed')
      for (let i = 0; i < pending.length; i++) {
        setImmediate(pending[i], error, this)
      }
    }

    conn.removeListener('close', closeOnConnEnd)

    handleUnsubscribe(
      this,
      {
        unsubscriptions: Object.keys(this.subscriptions)
      },
      finish)

    function finish () {
      const will = that.will
      // _disconnected is set only if client is disconnected with a valid disconnect packet
      if (!that._disconnected && will) {
        that.broker.authorizePublish(that, will, function (err) {
          if (err) { return done() }
          that.broker.publish(will, that, done)

          function done () {
            that.broker.persistence.delWill({
              id: that.id,
              brokerId: that.broker.id
            }).then(noop, noop)
          }
        })
      } else if (will) {
        // delete the persisted will even on clean disconnect https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html#_Toc385349232
        that.broker.persistence.delWill({
          id: that.id,
          brokerId: that.broker.id
        }).then(noop, noop)
      }

      // firehose: its unacknowledged shared-subscription messages go to other members
      that.broker._shared.clientClosed(that)

      that.will = null // this function might be called twice
      that._will = null

      that.connected = false
      that.connecting = false

      conn.removeAllListeners('error')
      conn.on('error', noop)

      if (that._registered) {
        that.broker.unregisterClient(that)
      }

      // [MQTT-3.1.2-6]: a clean session ends with the connection. Without this a
      // client that publishes QoS 2 and never returns leaves its dedup entry
      // behind forever, and repeating it with fresh client ids grows the store
      // without bound.
      const persistence = that.broker.persistence
      if (that.clean && typeof persistence?.cleanIncoming === 'function') {
        persistence.cleanIncoming(that).then(noop, noop)
      }

      // clear up the drain event listeners
      that.conn.emit('drain')
      that.conn.removeAllListeners('drain')

      conn.destroy()

      if (typeof done === 'function') {
        done()
      }
    }
  }

  // the order of this client's publishes (see InOrder and Aedes#publish)
  publishOrder () {
    return (this._publishOrder ??= new InOrder())
  }

  // firehose: the packets that arrived before CONNACK; was a once('connected') listener, now
  // called by the connect handler just before it emits 'connected'
  _dequeue () {
    const q = this._parser._queue
    if (q) {
      for (let i = 0, len = q.length; i < len; i++) {
        handle(this, q[i], this._nextBatch)
      }

      this._parser._queue = null
    }
  }

  pause () {
    this._paused = true
  }

  resume () {
    this._paused = false
    this._nextBatch()
  }

  emptyOutgoingQueue (done) {
    const client = this
    const persistence = client.broker.persistence

    function filter (packet, enc, next) {
      persistence.outgoingClearMessageId(client, packet)
        .then(pkt => next(null, pkt), next)
    }

    pipeline(
      persistence.outgoingStream(client),
      through(filter),
      done
    )
  }
}

// A packet reaches a client once per matching subscription, and mqemitter calls those handlers
// one after another for one message: forward the first copy, drop the repeats. Counters do not
// arrive in increasing order (publishes finish their persistence steps out of order, and
// several publishers race), so upstream's "counter above the last one seen" rule silently
// dropped a live message that arrived after a newer one.
function dedupe (client, packet) {
  const id = packet.brokerId
  if (!id) {
    return true
  }
  const duplicates = client.duplicates
  const counter = packet.brokerCounter
  if (duplicates[id] === counter) return false
  duplicates[id] = counter
  return true
}

function writeQoS (err, client, packet) {
  if (err) {
    // is this right, or we should ignore thins?
    client.emit('error', err)
    // don't pass the error here or it will be thrown by mqemitter
    packet.writeCallback()
  } else {
    write(client, packet, function (err) {
      if (err) {
        client.emit('error', err)
      }
      // don't pass the error here or it will be thrown by mqemitter
      packet.writeCallback()
    })
  }
}

util.inherits(Client, EventEmitter)

function enqueue (packet) {
  const client = this.client
  client._parsingBatch++
  // already connected or it's the first packet
  if (client.connackSent || client._parsingBatch === 1) {
    handle(client, packet, client._nextBatch)
  } else {
    if (this._queue.length < client.broker.queueLimit) {
      this._queue.push(packet)
    } else {
      this.emit('error', new Error('Client queue limit reached'))
    }
  }
}


function noop () {}

// firehose: a listener table without inherited names (like EventEmitter's `{ __proto__: null }`)
// that V8 keeps in fast mode: its prototype is an empty object without a prototype
function Listeners () {}
Listeners.prototype = Object.create(null)

// firehose: shared listeners (`this` is the emitter; see the constructor)
function emitConnError (err) {
  this.client.emit('error', err)
}

function emitParserError (err) {
  this.client.emit('error', err)
}

function closeOnConnEnd () {
  this.client.close()
}

export default Client
