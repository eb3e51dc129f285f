import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { createChannels, startChannels } from './channels/setup.ts';
import { loadConfig } from './config.ts';
import { AppError } from './errors.ts';
import { createHttpApp } from './http/server.ts';
import { createLogger } from './logger.ts';

/** `npm start`: config → index (built on first start) → HTTP. */
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
    logger.info({ chunks: index.chunks.length, embedder: index.manifest.embedder.id }, 'knowledge index loaded');
    app.roster.watch();
    app.sla.start(config.handoff.slaCheckSeconds * 1000);
    const channels = createChannels(app);
    await startChannels(channels, logger);
    const server: Server = createHttpApp(app, { routers: channels.routers, wechaty: channels.wechaty }).listen(config.port, config.host, () => {
      logger.info({ port: config.port, host: config.host, dataDir: config.dataDir }, 'RongZhi is listening');
    });
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      server.close(() => void channels.hub.stop().then(() => app.notifier.settled()).then(() => app.close()).finally(() => process.exit(0)));
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (error) {
    logger.fatal({ err: error }, error instanceof AppError ? error.message : 'start failed');
    process.exit(1);
  }
}

await main();
