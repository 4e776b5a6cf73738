import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { stackDir, stackPorts } from './paths';
import { aptInstall, onPath } from './proc';
import type { ManagedService } from './service';

const dataDir = () => path.join(stackDir(), 'redis');

export const redisService: ManagedService = {
  name: 'redis',
  envVar: 'REDIS_URL',
  get localValue() {
    return `redis://127.0.0.1:${stackPorts().redis}`;
  },
  get ports() {
    return [stackPorts().redis];
  },
  describe: () => "redis-server (Debian's package)",
  startTimeoutMs: 20_000,

  async install() {
    if (onPath('redis-server')) return;
    if (process.getuid?.() !== 0)
      throw new Error(
        'redis-server is not installed: run `sudo apt-get install redis-server`, or set REDIS_URL to an existing Redis',
      );
    console.log("[stack] installing Debian's redis-server");
    await aptInstall(['redis-server'], 'redis-server install');
  },

  async prepare() {
    fs.mkdirSync(dataDir(), { recursive: true });
  },

  command() {
    return {
      cmd: onPath('redis-server') ?? 'redis-server',
      args: [
        '--bind',
        '127.0.0.1',
        '--port',
        String(stackPorts().redis),
        '--dir',
        dataDir(),
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
    };
  },

  async healthy(url: string) {
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  },
};
