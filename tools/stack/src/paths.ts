import os from 'node:os';
import path from 'node:path';
import { envPort } from '@rideshare/common';

export const repoRoot = path.resolve(__dirname, '../../..');

/** Where one run's data, logs and PID files live (ignored by git). */
export function stackDir(): string {
  return path.resolve(process.env.STACK_DIR ?? path.join(repoRoot, '.stack'));
}

/** Downloads and builds shared by every clone on this machine. */
export function cacheDir(): string {
  const base =
    process.env.RIDESHARE_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'rideshare-federation');
  return path.resolve(base);
}

export function stackPorts() {
  const kafka = envPort('STACK_KAFKA_PORT', 9092);
  return {
    kafka,
    kafkaController: envPort('STACK_KAFKA_CONTROLLER_PORT', kafka + 1),
    mongo: envPort('STACK_MONGO_PORT', 27017),
    postgres: envPort('STACK_POSTGRES_PORT', 55432),
    redis: envPort('STACK_REDIS_PORT', 6379),
    zipkin: envPort('STACK_ZIPKIN_PORT', 9411),
    smtp: envPort('STACK_SMTP_PORT', 1025),
    maildevWeb: envPort('STACK_MAILDEV_PORT', 1080),
  };
}
