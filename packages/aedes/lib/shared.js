// firehose: shared subscriptions, `$share/<group>/<filter>` for MQTT 3.1.1 clients, with the
// semantics of MQTT 5 (4.8.2) and Mosquitto: each message matching the filter goes to one member
// of the group; other groups and ordinary subscriptions get their own copies.
//
// With option `sharedCluster` (an object, see types/instance.d.ts `SharedCluster`), groups span
// several brokers sharing one emitter: each message asks the cluster whether this node delivers
// it (`claim`), so exactly one node does; the cluster keeps the node's unacknowledged messages
// where a survivor finds them (`delivered` clears one, `handOff` gives back one no local member
// can take) and hands this node others' through `SharedSubscriptions#redeliver`.
import Packet from 'aedes-packet'

export const SHARE_PREFIX = '$share/'

// the highest QoS a shared subscription is granted: QoS 1 messages in flight to a member that
// leaves are handed to another member; QoS 2 would need the exchange moved too
export const SHARED_MAX_QOS = 1

// null for an ordinary filter; { group, filter } or { error } for `$share/...`
export function parseShare (topic) {
  if (!topic.startsWith(SHARE_PREFIX)) return null
  const rest = topic.slice(SHARE_PREFIX.length)
  const slash = rest.indexOf('/')
  const group = slash === -1 ? rest : rest.slice(0, slash)
  if (group === '') return { error: 'the group name is empty; use $share/<group>/<filter>' }
  if (group.includes('+') || group.includes('#')) {
    return { error: 'a group name cannot contain + or #; use $share/<group>/<filter>' }
  }
  if (slash === -1 || slash === rest.length - 1) {
    return { error: 'no filter after the group name; use $share/<group>/<filter>' }
  }
  return { group, filter: rest.slice(slash + 1) }
}

function canTakeDefault (client) {
  return !client.conn.writableNeedDrain
}

class Member {
  constructor (client, qos) {
    this.client = client
    this.qos = qos
    this.deliveries = 0
  }
}

class SharedGroup {
  constructor (shared, group, filter, key) {
    this.shared = shared
    this.group = group
    this.filter = filter
    this.key = key
    this.members = []
    this.next = 0
    this.deliveries = 0
    this.redeliveries = 0
    this.lost = 0
    this.handedOff = 0
    const that = this
    const cluster = shared.cluster
    // [MQTT-4.7.2-1] a leading wildcard does not match `$` topics
    const leading = filter.charCodeAt(0)
    const blockDollar = leading === 43 || leading === 35
    this.listener = function deliverShared (packet, cb) {
      if (blockDollar && packet.topic.charCodeAt(0) === 36) return cb()
      if (cluster === null) return that.deliver(packet, null, false, cb)
      // the emitter is not held while the cluster decides: the claim is a redis round trip
      cluster.claim(that.key, packet, that.ready(), function claimed (won) {
        if (won) that.deliver(packet, null, false, noop)
      })
      cb()
    }
  }

  // whether some member can take a message now (a node whose members are all busy claims last)
  ready () {
    for (const member of this.members) {
      if (!member.client.closed && this.shared.canTake(member.client)) return true
    }
    return false
  }

  // round robin over the members that can take more; if none can, the next one in turn
  // (the message is never dropped for backpressure: QoS 1 is at least once)
  pick (exclude, skip) {
    const members = this.members
    const n = members.length
    let fallback = null
    for (let i = 0; i < n; i++) {
      const index = (this.next + i) % n
      const member = members[index]
      if (member.client === exclude || member.client.closed || (skip !== null && skip.has(member))) continue
      if (this.shared.canTake(member.client)) {
        this.next = index + 1
        return member
      }
      if (fallback === null) fallback = index
    }
    if (fallback === null) return null
    this.next = fallback + 1
    return members[fallback]
  }

  // `exclude`: a client that just left with this message in flight; `again`: the message was in
  // flight before (to a member that left, or on a cluster node that died)
  deliver (packet, exclude, again, cb) {
    let skip = null
    const cluster = this.shared.cluster
    for (;;) {
      const member = this.pick(exclude, skip)
      if (member === null) {
        if (cluster !== null) {
          // this node owns the message and cannot deliver it: another node's members take it
          if (packet.qos > 0) {
            this.handedOff++
            cluster.handOff(this.key, packet)
          }
        } else if (exclude !== null || again) {
          this.lost++
        }
        setImmediate(cb)
        return
      }
      const copy = new Packet(packet, this.shared.broker)
      copy.qos = Math.min(packet.qos, member.qos)
      // delivered because of a subscription: retain is 0 [MQTT-3.3.1-9]
      copy.retain = false
      // a member's authorizeForward may refuse this message: another member gets it
      if (member.client.deliverShared(copy, cb, (sent) => this.sent(member, packet, sent))) {
        member.deliveries++
        this.deliveries++
        if (exclude !== null || again) this.redeliveries++
        // at QoS 0 no PUBACK will come: delivered as it is written
        if (cluster !== null && packet.qos > 0 && copy.qos === 0) cluster.delivered(this.key, packet)
        return
      }
      if (skip === null) skip = new Set()
      skip.add(member)
    }
  }

  // the QoS 1 packet is about to be written with its message id
  sent (member, original, sent) {
    const client = member.client
    if (client.closed) {
      // it left after it was picked: hand the message to another member
      this.deliver(original, client, true, noop)
      return
    }
    client._sharedInflight.set(sent.messageId, { group: this, packet: original })
  }
}

export class SharedSubscriptions {
  constructor (broker, canTake, cluster) {
    this.broker = broker
    this.canTake = typeof canTake === 'function' ? canTake : canTakeDefault
    this.cluster = cluster || null
    // `<group>/<filter>` -> SharedGroup
    this.groups = new Map()
  }

  join (client, share, qos, done) {
    const key = share.group + '/' + share.filter
    let group = this.groups.get(key)
    const fresh = group === undefined
    if (fresh) {
      group = new SharedGroup(this, share.group, share.filter, key)
      this.groups.set(key, group)
    }
    const members = group.members
    const index = members.findIndex(m => m.client === client)
    if (index === -1) members.push(new Member(client, qos))
    else members[index].qos = qos
    if (this.cluster !== null) this.cluster.members(key, share.group, share.filter, members.length)
    if (fresh) this.broker.subscribe(share.filter, group.listener, done)
    else done()
  }

  leave (client, share, done) {
    const key = share.group + '/' + share.filter
    const group = this.groups.get(key)
    if (group === undefined) return done()
    const index = group.members.findIndex(m => m.client === client)
    if (index !== -1) group.members.splice(index, 1)
    if (this.cluster !== null) this.cluster.members(key, share.group, share.filter, group.members.length)
    if (group.members.length > 0) return done()
    this.groups.delete(key)
    this.broker.unsubscribe(share.filter, group.listener, done)
  }

  // a member's PUBACK
  acknowledged (client, messageId) {
    const entry = client._sharedInflight.get(messageId)
    if (entry === undefined) return
    client._sharedInflight.delete(messageId)
    if (this.cluster !== null) this.cluster.delivered(entry.group.key, entry.packet)
  }

  // the cluster hands this node a message another node owned (it died, or its members left);
  // false when this node has no member of that group any more
  redeliver (key, packet) {
    const group = this.groups.get(key)
    if (group === undefined || group.members.length === 0) return false
    group.deliver(packet, null, true, noop)
    return true
  }

  // the groups with members on this node, by `<group>/<filter>`
  keys () {
    return [...this.groups.keys()]
  }

  // a member's connection ended: its unacknowledged messages go to the others in its group
  clientClosed (client) {
    // firehose: the map exists only once a shared message was sent to this client
    const inflight = client._sharedInflightMap
    if (!inflight || inflight.size === 0) return
    const entries = [...inflight.values()]
    inflight.clear()
    for (const { group, packet } of entries) group.deliver(packet, client, true, noop)
  }

  // what $SYS and metrics show
  stats () {
    const out = []
    for (const group of this.groups.values()) {
      out.push({
        group: group.group,
        filter: group.filter,
        members: group.members.map(m => ({ clientId: m.client.id, deliveries: m.deliveries })),
        deliveries: group.deliveries,
        redeliveries: group.redeliveries,
        lost: group.lost,
        handedOff: group.handedOff
      })
    }
    return out
  }
}

function noop () {}
