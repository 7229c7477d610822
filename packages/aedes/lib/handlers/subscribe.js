import Packet from 'aedes-packet'
import { through, validateTopic, $SYS_PREFIX, runFall, runParallel, once, grantedQoS } from '../utils.js'
import write from '../write.js'
import { parseShare, SHARED_MAX_QOS } from '../shared.js'

const subscribeTopicActions = runFall([
  authorize,
  storeSubscriptions,
  addSubs
])
const restoreTopicActions = runFall([
  authorize,
  addSubs
])

class SubAck {
  constructor (packet, granted) {
    this.cmd = 'suback'
    this.messageId = packet.messageId
    // the qos granted
    this.granted = granted
  }
}

class Subscription {
  constructor (qos, func, rh, rap, nl) {
    this.qos = qos
    this.func = func

    // retain-handling indicates how retained messages should be
    // handled when a new subscription is created
    // (see [MQTT-3.3.1-9] through [MQTT-3.3.1-11])
    this.rh = rh

    // retain-as-published indicates whether to leave the retain flag as-is (true)
    // or to clear it before sending to subscriptions (false) default false
    // (see [MQTT-3.3.1-12] through [MQTT-3.3.1-13])
    this.rap = rap

    // no-local indicates that a client should not receive its own
    // messages (see [MQTT-3.8.3-3])
    this.nl = nl
  }
}

class SubscribeState {
  constructor (client, packet, restore, finish) {
    this.client = client
    this.packet = packet
    this.actions = restore ? restoreTopicActions : subscribeTopicActions
    this.finish = finish
    this.subState = []
  }
}

class SubState {
  constructor (client, packet, granted, rh, rap, nl) {
    this.share = null
    this.client = client
    this.packet = packet
    this.granted = granted
    this.rh = rh
    this.rap = rap
    this.nl = nl
  }
}

// if same subscribed topic in subs array, we pick up the last one
function _dedupe (subs) {
  const dedupeSubs = new Map()
  for (let i = 0; i < subs.length; i++) {
    const sub = subs[i]
    dedupeSubs.set(sub.topic, sub)
  }
  return [...dedupeSubs.values()]
}

function handleSubscribe (client, packet, restore, finish) {
  const done = once(finish)
  packet.subscriptions = packet.subscriptions.length === 1 ? packet.subscriptions : _dedupe(packet.subscriptions)
  const state = new SubscribeState(client, packet, restore, done)
  // Use the callback-based runParallel rather than Promise.all(subscriptions.map(...)):
  // SUBSCRIBE is on the control path and runs once per topic, so avoiding the N+1
  // promise allocations per packet keeps allocation flat (matches the original fastparallel).
  runParallel(state, doSubscribe, packet.subscriptions, (err) => {
    if (err) {
      done(err)
    } else if (restore) {
      done()
    } else {
      completeSubscribe.call(state)
    }
  })
}

function doSubscribe (sub, done) {
  const s = new SubState(this.client, this.packet, sub.qos, sub.rh, sub.rap, sub.nl)
  this.subState.push(s)
  this.actions.call(s, sub, done)
}

function authorize (sub, done) {
  const client = this.client
  // firehose: `$share/<group>/<filter>`. A bad group or filter is refused in the SUBACK (0x80)
  // and reported with a 'subscriptionRefused' event; the connection goes on.
  const share = parseShare(sub.topic)
  if (share !== null) {
    const reason = share.error ||
      (validateTopic(share.filter, 'SUBSCRIBE', client.broker.maxTopicLevels) && 'the filter after the group is not a valid topic filter')
    if (reason) {
      client.broker.emit('subscriptionRefused', client, sub.topic, reason)
      return done(null, null)
    }
    this.share = share
    if (this.granted > SHARED_MAX_QOS) this.granted = SHARED_MAX_QOS
    return client.broker.authorizeSubscribe(client, sub, function (err, sub) {
      if (sub && sub.qos > SHARED_MAX_QOS) sub.qos = SHARED_MAX_QOS
      done(err, sub)
    })
  }
  const err = validateTopic(sub.topic, 'SUBSCRIBE', client.broker.maxTopicLevels)
  if (err) {
    return done(err)
  }
  client.broker.authorizeSubscribe(client, sub, done)
}

function blockDollarSignTopics (func) {
  return function deliverSharp (packet, cb) {
    // '$' is 36
    if (packet.topic.charCodeAt(0) === 36) {
      cb()
    } else {
      func(packet, cb)
    }
  }
}

function storeSubscriptions (sub, done) {
  if (!sub || typeof sub !== 'object') {
    // means failure: MQTT 3.1.1 specs > 3.9.3 Payload
    this.granted = 128
    return done(null, null)
  }

  const packet = this.packet
  const client = this.client

  if (client.clean) {
    return done(null, sub)
  }

  client.broker.persistence.addSubscriptions(client, packet.subscriptions)
    .then(() => done(null, sub), err => done(err, sub))
}

function addSubs (sub, done) {
  if (!sub || typeof sub !== 'object') {
    return done()
  }

  const client = this.client
  const broker = client.broker
  const topic = sub.topic
  const qos = sub.qos
  const rh = this.rh
  const rap = this.rap
  const nl = this.nl

  // firehose: a shared subscription joins its group; the group delivers (lib/shared.js)
  if (this.share) {
    if (client.closed || broker.closed) return
    const share = this.share
    client.subscriptions[topic] = new Subscription(qos, null, rh, rap, nl)
    client.subscriptions[topic].share = share
    broker._shared.join(client, share, qos, done)
    return
  }
  // deliverQoS picks the QoS from all of the client's matching subscriptions [MQTT-3.3.5-1]
  // (firehose: a method now, called on the client)
  let func = function handlePacketSubscription (_packet, cb) {
    _packet = new Packet(_packet, broker)
    _packet.nl = nl
    if (!rap) _packet.retain = false
    client.deliverQoS(_packet, cb)
  }

  // [MQTT-4.7.2-1]
  if (isStartsWithWildcard(topic)) {
    func = blockDollarSignTopics(func)
  }

  if (client.closed || client.broker.closed) {
    // a hack, sometimes client.close() or broker.close() happened
    // before authenticate() comes back
    // we don't continue subscription here
    return
  }

  if (!client.subscriptions[topic]) {
    client.subscriptions[topic] = new Subscription(qos, func, rh, rap, nl)
    broker.subscribe(topic, func, done)
  } else if (client.subscriptions[topic].qos !== qos || client.subscriptions[topic].rh !== rh || client.subscriptions[topic].rap !== rap || client.subscriptions[topic].nl !== nl) {
    broker.unsubscribe(topic, client.subscriptions[topic].func)
    client.subscriptions[topic] = new Subscription(qos, func, rh, rap, nl)
    broker.subscribe(topic, func, done)
  } else {
    done()
  }
}

// + is 43
// # is 35
function isStartsWithWildcard (topic) {
  const code = topic.charCodeAt(0)
  return code === 43 || code === 35
}

function completeSubscribe () {
  const done = this.finish
  const packet = this.packet
  const client = this.client

  if (packet.messageId !== undefined) {
    // [MQTT-3.9.3-1]
    write(client,
      new SubAck(packet, this.subState.map(obj => obj.granted)),
      done)
  } else {
    done()
  }

  const broker = client.broker

  // subscriptions array to return as result in 'subscribe' event and $SYS
  const subs = packet.subscriptions

  // topics we need to retrieve retain values from
  const topics = []

  for (let i = 0; i < subs.length; i++) {
    // skip topics that are not allowed; no retained messages on a shared subscription (MQTT 5 4.8.2)
    if (this.subState[i].granted !== 128 && !this.subState[i].share) {
      topics.push(subs[i].topic)
    }
    // set granted qos to subscriptions
    subs[i].qos = this.subState[i].granted
  }

  this.subState = []

  broker.emit('subscribe', subs, client)
  broker.publish({
    topic: $SYS_PREFIX + broker.id + '/new/subscribes',
    payload: Buffer.from(JSON.stringify({
      clientId: client.id,
      subs
    }), 'utf8')
  }, noop)

  // Conform to MQTT 3.1.1 section 3.1.2.4
  // Restored sessions should not contain any retained message.
  // Retained message should be only fetched from SUBSCRIBE.

  if (topics.length > 0) {
    const persistence = broker.persistence
    const stream = persistence.createRetainedStreamCombi(topics)
    // pipe() does not forward errors: a store closed under this stream at shutdown would be an
    // uncaught exception; otherwise the error ends only this client
    stream.on('error', function (err) {
      if (!broker.closed) client.emit('error', err)
    })
    stream.pipe(through(function sendRetained (packet, enc, cb) {
      // the retained store matches `#` and `+/…` against `$` topics too; a leading wildcard
      // must not match them [MQTT-4.7.2-1]
      if (grantedQoS(client, packet.topic) < 0) return cb()
      packet = new Packet({
        cmd: packet.cmd,
        qos: packet.qos,
        topic: packet.topic,
        payload: packet.payload,
        retain: true
      }, broker)
      // this should not be deduped
      packet.brokerId = null
      client.deliverQoS(packet, cb)
    }))
  }
}

function noop () { }

export default handleSubscribe
