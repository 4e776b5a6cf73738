import { styleText } from 'node:util';
import { prettyFactory } from 'pino-pretty';

type Colour = Parameters<typeof styleText>[0];
const COLOURS: Colour[] = [
  'cyan',
  'magenta',
  'yellow',
  'green',
  'blue',
  'redBright',
  'cyanBright',
  'magentaBright',
];

/**
 * How `npm start` shows a service's log lines: JSON as the service wrote it when the output goes to a
 * file or a pipe (for log tools), and readable in a terminal: time, level, message and fields, after
 * the service's name in a colour of its own. LOG_FORMAT=json keeps JSON in a terminal too.
 */
export function serviceLineWriter(
  env: NodeJS.ProcessEnv = process.env,
  out: NodeJS.WriteStream = process.stderr,
): (service: string, line: string) => void {
  if (!out.isTTY || env.LOG_FORMAT === 'json') return (service, line) => out.write(`[${service}] ${line}\n`);
  const pretty = prettyFactory({
    colorize: true,
    customLevels: 'notice:55',
    customColors: 'notice:green',
    useOnlyCustomProps: false,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'service,pid,hostname',
    singleLine: true,
  });
  const colours = new Map<string, Colour>();
  const colourOf = (service: string) => {
    const base = service.replace(/-\d+$/, ''); // replicas share their service's colour
    if (!colours.has(base)) colours.set(base, COLOURS[colours.size % COLOURS.length] ?? 'white');
    return colours.get(base) ?? 'white';
  };
  return (service, line) => {
    const name = styleText(colourOf(service), `[${service}]`);
    out.write(`${name} ${line.startsWith('{') ? pretty(line).trimEnd() : line}\n`);
  };
}
