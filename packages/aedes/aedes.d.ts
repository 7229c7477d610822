export * from './types/instance.js'
export * from './types/packet.js'
export * from './types/client.js'
