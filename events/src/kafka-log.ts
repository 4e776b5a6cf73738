// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- every program compiling this file needs it
/// <reference path="./kafkajs-protocol-error.d.ts" />
import { logLevel, type LogEntry } from 'kafkajs';
// kafkajs's own table of protocol errors (which ones it retries); it exports no public copy of it.
import { errorCodes } from 'kafkajs/src/protocol/error.js';
import { z } from 'zod';
import type { Logger } from '@rideshare/common';

/**
 * kafkajs warns at every producer's start that bounded retries "may invalidate EoS guarantees". Ours
 * are bounded on purpose (a send during an outage fails, and the relay or consumer tries again later,
 * so shutdown never hangs on it), and nothing relies on the producer for exactly-once: every event has
 * a stable id and every consumer drops copies.
 */
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * kafkajs logs every error response at error level before it retries the request, e.g. "The
 * coordinator is loading" while a fresh broker starts. A retriable one (kafkajs's table says so) is
 * routine: if the retries run out, the call throws and its caller logs that.
 */
const retriedResponseErrors = new Set(
  z
    .array(z.object({ message: z.string(), retriable: z.boolean() }))
    .parse(errorCodes)
    .filter((e) => e.retriable)
    .map((e) => e.message),
);

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The level a kafkajs log line gets in our logs: its own, or debug for the routine ones above. */
export function kafkaLogLevel(
  level: number,
  entry: Pick<LogEntry['log'], 'message'> & Record<string, unknown>,
) {
  const routine =
    entry.message === BOUNDED_RETRIES_WARNING ||
    (entry.message.startsWith('Response ') &&
      typeof entry.error === 'string' &&
      retriedResponseErrors.has(entry.error));
  return routine ? 'debug' : (LEVELS[level] ?? 'info');
}

/** kafkajs's logCreator, writing to our logger with "kafka: " before each message. */
export const kafkaLogCreator =
  (log: Logger) =>
  () =>
  ({ level, log: entry }: LogEntry) => {
    const { message, ...fields } = entry;
    log[kafkaLogLevel(level, entry)](`kafka: ${message}`, fields);
  };
