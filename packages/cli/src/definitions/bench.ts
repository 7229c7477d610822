import type { Command } from '../command.js';

export const benchCommand: Command = {
  name: ['bench'],
  summary: 'load generator: publishers and subscribers in worker processes; prints msg/s and latency',
  usage: 'bench [options]',
  examples: [
    {
      command: 'bench',
      description: '10 s, 2 publishers, 2 subscribers, QoS 0, 200 B, against an in-process broker',
    },
    {
      command: 'bench --url mqtt://broker:1883 --qos 1 --size 2048 --rate 500 --publishers 4 --processes 4',
      description:
        'a fixed load against a running broker (needs anonymous write on bench/# or a real account)',
    },
  ],
  options: {
    url: {
      type: 'string',
      value: 'URL',
      description: 'Broker to load (default: start one in this process on a free port).',
    },
    publishers: { type: 'string', short: 'P', value: 'N', description: 'Publishing clients.', default: '2' },
    subscribers: {
      type: 'string',
      short: 'S',
      value: 'N',
      description: 'Subscribing clients (each receives every message).',
      default: '2',
    },
    processes: {
      type: 'string',
      value: 'N',
      description: 'Worker processes the clients are spread over.',
      default: '2',
    },
    qos: {
      type: 'string',
      short: 'q',
      value: '0|1',
      description: 'QoS of publishes and subscriptions.',
      default: '0',
    },
    size: { type: 'string', value: 'BYTES', description: 'Approximate payload size.', default: '200' },
    rate: {
      type: 'string',
      value: 'N',
      description: 'Messages per second per publisher; 0 = as fast as possible.',
      default: '0',
    },
    duration: {
      type: 'string',
      short: 'd',
      value: 'DURATION',
      description: 'How long publishers run.',
      default: '10s',
    },
    topic: {
      type: 'string',
      value: 'PREFIX',
      description: 'Topic prefix (undeclared, so validation is a trie miss).',
      default: 'bench',
    },
    drain: {
      type: 'string',
      value: 'DURATION',
      description: 'After publishing stops, how long to wait for deliveries still in flight.',
      default: '2s',
    },
    format: {
      type: 'string',
      short: 'o',
      value: 'text|json',
      description: 'Output format.',
      default: 'text',
    },
  },
  details:
    'Latency is publish → delivery, from a wall-clock stamp in each message (same host, so clocks agree).\nBenchmarks print figures; they assert nothing.',
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/bench.js')).implementation.run(context),
};
