import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { createChannels, startChannels } from './channels/setup.ts';
import { loadConfig } from './config.ts';
import { AppError } from './errors.ts';
import { createHttpApp } from './http/server.ts';
import { createLogger } from './logger.ts';

const SHUTDOWN_GRACE_MS = 20_000;
const INDEX_CHECK_MS = 30_000;

/** `npm start`: config → stores → index (built on first start) → HTTP and channels. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`rongzhi: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel });
  try {
    const app = await createApp(config, logger);
    const index = await app.knowledge.loadOrBuild();
    logger.info({ chunks: index.chunks.length, embedder: index.manifest.embedder.id, instance: app.instanceId }, 'knowledge index loaded');
    app.roster.watch(() => void app.cluster.publish({ type: 'roster' }).catch((error) => logger.warn({ err: error }, 'roster announcement failed')));
    // Service-level timers fire on exactly one instance; when it dies, another takes over the lease.
    await app.keepLease('sla', { onAcquired: () => app.sla.start(config.handoff.slaCheckSeconds * 1000), onLost: () => app.sla.stop() }).start();
    // An announcement can be missed (a Redis reconnect): every instance also checks the shared version.
    const indexCheck = setInterval(() => {
      void app.cluster
        .sharedIndexHash()
        .then((shared) => (shared && shared !== app.knowledge.index?.manifest.contentHash ? app.knowledge.follow(shared) : false))
        .catch((error) => logger.warn({ err: error }, 'index version check failed'));
    }, INDEX_CHECK_MS);
    indexCheck.unref();

    const channels = createChannels(app);
    await startChannels(channels, app);
    const server: Server = createHttpApp(app, { routers: channels.routers, wechaty: channels.wechaty, wechatyLease: channels.wechatyLease }).listen(config.port, config.host, () => {
      logger.info({ port: config.port, host: config.host, dataDir: config.dataDir, instance: app.instanceId }, 'RongZhi is listening');
    });

    // Graceful shutdown: stop accepting, finish what is in flight, hand over the leases, close the stores.
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing requests in flight');
      setTimeout(() => {
        logger.error('shutdown took too long: exiting with work unfinished');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
      clearInterval(indexCheck);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await channels.hub.drain();
      await channels.hub.stop();
      await app.notifier.settled();
      await app.close();
      logger.info('shut down cleanly');
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  } catch (error) {
    logger.fatal({ err: error }, error instanceof AppError ? error.message : 'start failed');
    process.exit(1);
  }
}

await main();
