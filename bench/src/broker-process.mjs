// One broker under test, in its own process (forked by brokers.mjs): the firehose broker with its
// production hooks, or plain aedes 1.2.0 from npm with no hooks. Reports its ports over IPC and
// stops on 'stop' (letting the event loop empty, so a --cpu-prof profile gets written).
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

const [kind, configJson, mode] = process.argv.slice(2);

async function startFirehose() {
  // firehose-base: another build of the broker (FIREHOSE_BASE_DIST=.../dist/index.js), to compare a
  // change with its base in one run.
  const entry = kind === 'firehose-base' ? process.env.FIREHOSE_BASE_DIST : '@firehose/broker';
  const { createBroker, hashPassword } = await import(entry);
  const config = JSON.parse(configJson);
  for (const account of Object.values(config.accounts ?? {})) {
    // --quick: scrypt's cheapest cost, so a smoke test does not wait for key derivation.
    account.password = await hashPassword(account.password, mode === 'quick' ? { N: 1024 } : {});
  }
  const broker = await createBroker(config);
  await broker.listen();
  return { port: broker.address('mqtt').port, wsUrl: broker.url('ws'), close: () => broker.close() };
}

async function startAedes() {
  const { Aedes } = await import('aedes-upstream');
  const { WebSocketServer, createWebSocketStream } = await import('ws');
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, path: '/mqtt', perMessageDeflate: false });
  // As aedes' README does it: each WebSocket becomes a duplex stream handed to aedes.
  wss.on('connection', (ws) => aedes.handle(createWebSocketStream(ws)));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    wsUrl: `ws://127.0.0.1:${http.address().port}/mqtt`,
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        http.close();
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}

const running = await (kind === 'aedes' ? startAedes() : startFirehose());
process.send({ type: 'ready', port: running.port, wsUrl: running.wsUrl });
process.on('message', async (message) => {
  if (message.type !== 'stop') return;
  await running.close();
  process.disconnect();
  // process.exit() would skip writing a --cpu-prof profile; a stuck handle still ends in 3 s.
  setTimeout(() => process.exit(0), 3000).unref();
});
// The bench ended or died: close and exit (at once if closing hangs).
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 3000).unref();
  void running.close().then(() => process.exit(0));
});
