// Helpers shared by the test suites of several workspace packages. TypeScript source only: vitest and
// tsc load it through the `@firehose/source` condition, so it has no build step and is never published.
export { sleep, waitFor } from './wait-for.js';
export { freePort } from './free-port.js';
export { temporaryDirectory } from './temporary-directory.js';
export { startTestBroker } from './test-broker.js';
export { selfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate.js';
export { chromiumLaunchOptions, type ChromiumLaunchOptions } from './chromium.mjs';
export {
  SYSTEM_PROGRAMS,
  systemProgram,
  findProgram,
  missingPrograms,
  installCommand,
  type SystemProgramName,
  type SystemProgramSpec,
} from './system-programs.mjs';
export { startRedisSentinelSet, type RedisSentinelSet, type RedisProcess } from './redis-sentinel-set.js';
export { startPostgres, type PostgresServer } from './postgres-server.js';
