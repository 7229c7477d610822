import write from '../write.js'

class PubRel {
  constructor (packet) {
    this.cmd = 'pubrel'
    this.messageId = packet.messageId
  }
}

function handlePubrec (client, packet, done) {
  const pubrel = new PubRel(packet)

  if (client.clean) {
    write(client, pubrel, done)
    return
  }

  // [MQTT-4.6.0-4] PUBRELs leave in the order their PUBRECs came, though the store updates
  // before them finish in any order (and the subscriber delivers a QoS 2 message on PUBREL)
  const order = client._deliverOrder
  const ticket = order.take()
  client.broker.persistence.outgoingUpdate(client, pubrel)
    .then(() => order.ready(ticket, () => write(client, pubrel, done)),
      (err) => order.ready(ticket, () => done(err)))
}

export default handlePubrec
