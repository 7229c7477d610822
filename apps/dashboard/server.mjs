#!/usr/bin/env node
// Serves the built dashboard (dist/) and tells the page which broker to use.
//   node apps/dashboard/server.mjs --port 5173 --host 127.0.0.1 --broker 'ws://{host}:8080/mqtt' --history 'http://{host}:9090'
// `{host}` in the broker URL becomes the host the browser used to load the page.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const escapeAttribute = (value) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Starts the static server for the built dashboard.
 * @param {object} [options]
 * @param {number} [options.port] port to listen on; 0 picks a free one. @default 5173
 * @param {string} [options.host] address to bind. @default '127.0.0.1'
 * @param {string} [options.broker] broker WebSocket URL given to the page (`{host}` = the page's host);
 *   `?broker=` in the page URL still wins. @default the page's own default, ws://<page host>:8080/mqtt
 * @param {string} [options.history] the broker's HTTP listener (its history API) given to the page
 *   (`{host}` = the page's host); `?history=` still wins. @default the broker URL's host on port 9090
 * @param {string} [options.historyUpstream] the broker's HTTP listener to forward `/v1/` to, so the page reads
 *   history from its own origin (no CORS needed); the page is then told to use this origin.
 *   `options.history` is ignored with it. @default undefined (the page reads `history` directly)
 * @param {string} [options.root] directory with the built files. @default apps/dashboard/dist
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startDashboardServer(options = {}) {
  const root = resolve(options.root ?? join(here, 'dist'));
  const indexPath = join(root, 'index.html');
  let index;
  try {
    index = await readFile(indexPath, 'utf8');
  } catch (cause) {
    throw new Error(
      `The dashboard is not built: ${indexPath} is missing. Run \`pnpm --filter @firehose/dashboard build\` first.`,
      {
        cause,
      },
    );
  }
  const page = index
    .replace(
      /<meta name="firehose-broker" content="[^"]*"\s*\/?>/,
      `<meta name="firehose-broker" content="${escapeAttribute(options.broker ?? '')}" />`,
    )
    .replace(
      /<meta name="firehose-history" content="[^"]*"\s*\/?>/,
      `<meta name="firehose-history" content="${escapeAttribute(options.historyUpstream === undefined ? (options.history ?? '') : 'same-origin')}" />`,
    );

  const upstream = options.historyUpstream === undefined ? undefined : new URL(options.historyUpstream);
  const server = createServer((request, response) => {
    if (upstream !== undefined && (request.url ?? '').startsWith('/v1/')) {
      forward(request, response, upstream);
      return;
    }
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path));
    if (path === '/' || path === '/index.html' || !file.startsWith(root + sep)) {
      response.writeHead(200, { 'content-type': types['.html'], 'cache-control': 'no-cache' });
      response.end(page);
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) throw new Error('not a file');
        response.writeHead(200, {
          'content-type': types[extname(file)] ?? 'application/octet-stream',
          'content-length': info.size,
          // Built assets carry a content hash in their names.
          'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
        createReadStream(file).pipe(response);
      },
      () => {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('Not found.\n');
      },
    );
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5173, host, () => resolveListen(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 5173);
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose(undefined));
      }),
  };
}

/**
 * Forwards one history API request (JSON pages or the SSE stream) to the broker, as a reverse proxy
 * does: same method, path, query and request headers; the answer is streamed back as it comes.
 */
function forward(request, response, upstream) {
  const target = new URL(request.url ?? '/', upstream);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const outgoing = send(
    target,
    { method: request.method, headers: { ...request.headers, host: target.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  outgoing.on('error', (error) => {
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
    response.end(
      JSON.stringify({
        error: {
          code: 'UNAVAILABLE',
          message: `The broker's HTTP listener ${upstream.origin} did not answer: ${error.message}.`,
        },
      }),
    );
  });
  // The page went away (it closed a stream): stop reading from the broker too.
  response.on('close', () => outgoing.destroy());
  request.pipe(outgoing);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5173' },
      host: { type: 'string', default: '127.0.0.1' },
      broker: { type: 'string' },
      history: { type: 'string' },
      'history-upstream': { type: 'string' },
      root: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535; got ${values.port}.`);
    process.exit(2);
  }
  try {
    const running = await startDashboardServer({
      port,
      host: values.host,
      broker: values.broker,
      history: values.history,
      historyUpstream: values['history-upstream'],
      root: values.root,
    });
    console.log(`dashboard: ${running.url}`);
    const stop = () => void running.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
