// Load worker processes as the orchestrator sees them: a pool of forked processes, each set up
// with a plan for one run and torn down after it, so a run does not pay for forking and loading
// modules again (seconds on a loaded 2-core machine).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));
const pool = [];
const everyone = new Set();

function forkWorker() {
  const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = new Map();
  const worker = { child, name: 'idle', onProgress: undefined, failure: undefined };
  child.on('message', (message) => {
    if (message.type === 'progress') return worker.onProgress?.(message.delivered);
    if (message.type === 'error') {
      worker.failure = new Error(`load worker (${worker.name}): ${message.message}`);
      for (const waiter of waiters.values()) waiter.reject(worker.failure);
      waiters.clear();
      return;
    }
    const waiter = waiters.get(message.type);
    waiters.delete(message.type);
    waiter?.resolve(message);
  });
  child.on('exit', (code) => {
    everyone.delete(worker);
    worker.failure = new Error(`load worker (${worker.name}) exited (code ${code}).`);
    for (const waiter of waiters.values()) waiter.reject(worker.failure);
    waiters.clear();
  });
  worker.ask = (type, reply = type, extra = {}) => {
    if (worker.failure) return Promise.reject(worker.failure);
    const answer = new Promise((resolve, reject) => waiters.set(reply, { resolve, reject }));
    child.send({ type, ...extra });
    return answer;
  };
  worker.run = (options) => worker.ask('run', 'done', options);
  worker.report = () => worker.ask('report');
  worker.tell = (message) => child.connected && child.send(message);
  worker.kill = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.send({ type: 'stop' });
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  worker.stop = async () => {
    // Teardown closes its connections; a worker that fails it is not reused.
    try {
      await worker.ask('teardown');
      worker.onProgress = undefined;
      pool.push(worker);
    } catch {
      await worker.kill();
    }
  };
  everyone.add(worker);
  return worker;
}

/** A load process set up with `plan`; resolves once its connections are open. */
async function startWorker(plan, onProgress) {
  const worker = pool.pop() ?? forkWorker();
  worker.name = plan.name;
  worker.onProgress = onProgress;
  worker.failure = undefined;
  try {
    await worker.ask('setup', 'ready', { plan });
  } catch (error) {
    await worker.kill();
    throw error;
  }
  return worker;
}

/** Starts several workers; if one fails, stops the others and rethrows. */
export async function startWorkers(plans, onProgress) {
  const settled = await Promise.allSettled(plans.map((plan) => startWorker(plan, onProgress)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.stop()));
    throw failed.reason;
  }
  return settled.map((s) => s.value);
}

/** Ends every load process (at the end of the bench). */
export async function stopAllWorkers() {
  pool.length = 0;
  await Promise.all([...everyone].map((w) => w.kill()));
}
