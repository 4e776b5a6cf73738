import { stackEnv, up, down } from './stack';

/** `npm start`: the stack, then every service of the system, until Ctrl-C. */
export async function startSystem(): Promise<number> {
  const started = await up();
  const env = stackEnv();
  console.log('\nRideshare Federation is up:');
  for (const [k, v] of Object.entries(env)) console.log(`  ${k.padEnd(14)} ${v}`);
  console.log('\nPress Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await down(started);
  return 0;
}
