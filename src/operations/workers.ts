import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { ConnectionDealer, TAKEN, takeConnections, type ConnectionMessage } from './connection-dealer';
import { installGracefulShutdown } from './graceful-shutdown';
import { isPortTaken, portTakenMessage } from './port-taken';

/**
 * Several gateway processes on one port (VECGATE_WORKERS, node:cluster): the primary forks the
 * workers and does nothing else but keep them running, stop them, and add up their metrics; each
 * worker is a whole gateway (its own pool, admission queue, index builder: replicas already share
 * one database safely). The primary accepts connections and deals them out in turn
 * (connection-dealer.ts).
 */

/** A worker tells the primary it listens; the primary tells a worker to stop; /metrics asks and is answered. */
const READY = 'vecgate:ready';
const STOP = 'vecgate:stop';
/** A worker tells the primary it drains: it gets no new connections. */
const DRAINING = 'vecgate:draining';
const METRICS_ASK = 'vecgate:metrics?';
const METRICS_ANSWER = 'vecgate:metrics';
/** How long a worker waits for the primary's sum of every worker's metrics before answering with its own. */
const METRICS_TIMEOUT_MS = 5_000;

interface Message extends ConnectionMessage {
  text?: string;
}

export interface PrimaryOptions {
  workers: number;
  host: string;
  port: number;
  /** Protocols on ports of their own (Qdrant's): each one's port and path prefix. */
  protocolPorts: { prefix: string; port: number; setting?: 'QDRANT_PORT' }[];
  /** How long the workers may take to stop (drain, close) after a signal before they are killed. */
  stopTimeoutMs: number;
  /** Logged once every worker listens. */
  address: string;
  logger: LoggerService;
}

/**
 * Runs the primary: forks the workers, and listens once the first is ready; one that exits after
 * it was ready is replaced, one that exits before (a configuration the database refuses), or a
 * port taken, stops them all with exit 1. SIGTERM or SIGINT stops listening, asks every worker to
 * drain and stop, and exits 0 once they have (1 if one failed or had to be killed); a second
 * signal kills them at once.
 */
export function runPrimary({
  workers,
  host,
  port,
  protocolPorts,
  stopTimeoutMs,
  address,
  logger,
}: PrimaryOptions): void {
  const ready = new WeakSet<Worker>();
  const aggregator = new AggregatorRegistry();
  const dealer = new ConnectionDealer();
  // noDelay as Node's HTTP server sets it on the connections it accepts (an option of the socket, kept by the worker's copy).
  const server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => dealer.deal(socket));
  const others = protocolPorts.map((p) => ({
    ...p,
    server: createServer({ pauseOnConnect: true, noDelay: true }, (socket) => dealer.deal(socket, p.prefix)),
  }));
  let listening = false;
  let stopping = false;
  let failed = false;
  let announced = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: Message) => {
      if (message?.type === TAKEN) dealer.taken(worker, message);
      else if (message?.type === READY) {
        ready.add(worker);
        if (!stopping) dealer.add(worker);
        listen();
        if (living().every((w) => ready.has(w)) && !announced) {
          announced = true;
          logger.log(`web console on ${address}/console/, API documentation on ${address}/docs`);
          logger.log(`vecgate listening on ${address} with ${workers} worker processes`);
        }
      } else if (message?.type === DRAINING) dealer.remove(worker);
      else if (message?.type === METRICS_ASK) void answerMetrics(worker, message.id);
    });
    // A worker gone (killed, crashed) closes what it was handed and had not taken: its clients learn at once.
    worker.on('disconnect', () => dealer.gone(worker));
  };
  const listen = () => {
    if (listening || stopping) return;
    listening = true;
    server.listen(port, host);
    for (const other of others) other.server.listen(other.port, host);
  };
  server.on('error', (err) => {
    logger.error(isPortTaken(err) ? portTakenMessage('PORT', port) : `cannot listen on ${address}: ${err.message}`);
    stop('listening failed', 1);
  });
  for (const other of others)
    other.server.on('error', (err) => {
      logger.error(
        isPortTaken(err) && other.setting
          ? portTakenMessage(other.setting, other.port)
          : `cannot listen on port ${other.port}: ${err.message}`,
      );
      stop('listening failed', 1);
    });
  const answerMetrics = async (worker: Worker, id: number | undefined) => {
    const text = await aggregator
      .clusterMetrics()
      .catch((err: Error) => `# metrics of the workers failed: ${err.message}\n`);
    if (worker.isConnected()) worker.send({ type: METRICS_ANSWER, id, text });
  };
  const living = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);

  const stop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    failed ||= code !== 0;
    if (listening) for (const s of [server, ...others.map((o) => o.server)]) s.close();
    logger.log(`${reason}: stopping ${living().length} worker(s)`);
    for (const worker of living()) if (worker.isConnected()) worker.send({ type: STOP });
    setTimeout(() => {
      logger.warn(`workers still running after ${stopTimeoutMs} ms: killing them`);
      failed = true;
      for (const worker of living()) worker.process.kill('SIGKILL');
    }, stopTimeoutMs).unref();
    if (living().length === 0) process.exit(failed ? 1 : 0);
  };

  cluster.on('exit', (worker, code, signal) => {
    dealer.gone(worker);
    const how = signal ?? `code ${code}`;
    if (stopping) {
      failed ||= code !== 0;
      if (living().length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    if (!ready.has(worker)) {
      logger.error(`worker ${worker.process.pid} failed to start (${how})`);
      stop('a worker failed to start', 1);
      return;
    }
    logger.warn(`worker ${worker.process.pid} exited (${how}): starting another`);
    fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) return stop(signal, 0);
      logger.warn(`${signal} again: killing the workers`);
      for (const worker of living()) worker.process.kill('SIGKILL');
      process.exit(1);
    });
  }
  logger.log(`starting ${workers} worker processes`);
  for (let i = 0; i < workers; i++) fork();
}

/**
 * In a worker: serves the connections the primary deals (the worker does not listen itself);
 * drains and stops when the primary asks, when the primary is gone (killed: its workers must not
 * outlive it), or on a signal of its own (a service manager signals every process of the group;
 * each stops once, however many of these arrive), telling the primary to deal it no more.
 */
export function installWorker(app: INestApplication, logger: LoggerService): void {
  const graceful = installGracefulShutdown(app, logger, { signals: [] });
  const refuse = takeConnections(app.getHttpServer());
  const shutdown = (reason: string) => {
    refuse();
    if (process.connected) process.send!({ type: DRAINING });
    void graceful.shutdown(reason);
  };
  process.on('message', (message: Message) => {
    if (message?.type === STOP) shutdown('asked by the primary');
  });
  process.on('disconnect', () => shutdown('the primary is gone'));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown(signal));
}

/**
 * In a worker still booting: asked to stop (or left by its primary, or signalled), it exits at
 * once, as nothing is served yet; a stop asked before installWorker would otherwise be lost and
 * the worker killed at the primary's deadline. Returns what removes these listeners.
 */
export function exitWhileBooting(): () => void {
  const exit = () => process.exit(0);
  const onMessage = (message: Message) => {
    if (message?.type === STOP) exit();
  };
  process.on('message', onMessage);
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  return () => {
    process.off('message', onMessage);
    process.off('disconnect', exit);
    process.off('SIGTERM', exit);
    process.off('SIGINT', exit);
  };
}

export function announceReady(): void {
  process.send?.({ type: READY });
}

let asked = 0;

/** In a worker: the registry the primary's sum reads (prom-client answers the primary's requests itself). */
export function shareMetrics(registry: Registry): void {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // the first one made in a process starts prom-client's answering of the primary
  AggregatorRegistry.setRegistries([registry]);
}

/**
 * The metrics of every worker added up (counters and histograms summed, gauges too: connections,
 * requests in flight), asked of the primary; null outside a cluster, or when the primary did not
 * answer in time (the caller answers with its own).
 */
export async function clusterMetrics(): Promise<string | null> {
  if (!cluster.isWorker || !process.connected) return null;
  const id = ++asked;
  return new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => finish(null), METRICS_TIMEOUT_MS);
    const onMessage = (message: Message) => {
      if (message?.type === METRICS_ANSWER && message.id === id) finish(message.text ?? null);
    };
    const finish = (text: string | null) => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(text);
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_ASK, id });
  });
}
