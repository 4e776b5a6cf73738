import { down, logs, services, status, up } from './stack';

const usage = 'usage: npm run stack -- up | down | status | logs [kafka|postgres|mongo|redis|maildev]';

/** `npm run stack -- <command>`: manages Kafka, the MongoDB-protocol server and Redis. */
export async function stackCli(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  switch (command) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status': {
      const rows = await status();
      for (const r of rows)
        console.log(
          `${r.name.padEnd(8)} ${r.healthy ? 'UP  ' : 'DOWN'} ${r.value.padEnd(28)} ${r.pid ? `pid ${r.pid}  ` : ''}${r.detail}`,
        );
      return rows.every((r) => r.healthy) ? 0 : 3;
    }
    case 'logs':
      if (arg && !services.some((s) => s.name === arg)) {
        console.error(`unknown service "${arg}"; ${usage}`);
        return 2;
      }
      console.log(logs(arg));
      return 0;
    default:
      console.error(usage);
      return 2;
  }
}
