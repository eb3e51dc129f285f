import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { maskDeep } from './privacy.ts';

export type { Logger };

/**
 * JSON logs for machines, pretty ones for people at a terminal. The CLI logs to stderr so that
 * its stdout stays one clean JSON document.
 */
export function createLogger(
  options: { level: string; destination?: 1 | 2; pretty?: boolean; stream?: NodeJS.WritableStream } = { level: 'info' },
): Logger {
  const fd = options.destination ?? 1;
  const isTty = fd === 2 ? process.stderr.isTTY : process.stdout.isTTY;
  const usePretty = options.pretty ?? Boolean(isTty);
  const stream = options.stream
    ? options.stream
    : usePretty
    ? pretty({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss' })
    : pino.destination({ dest: fd, sync: true });
  return pino(
    {
      level: options.level,
      base: { app: 'rongzhi' },
      // Phone and ID-card numbers never reach a log, whoever logs them.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => maskDeep(arg)) as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}
