import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stackDir, stackPorts } from './paths';
import type { ManagedService } from './service';

/** MailDev (npm `maildev`, a devDependency of tools/stack): an SMTP server keeping what it gets, a web UI and a REST API. */
const MAILDEV_VERSION = '3.0.0';

/** Where the admins' alert emails can be read locally (the web UI; the REST API is under /api). */
export const maildevWebUrl = () => `http://127.0.0.1:${stackPorts().maildevWeb}`;

/** Its bin in the nearest node_modules (the package exports only its ES module, not package.json). */
function maildevBin(): string {
  for (const dir of require.resolve.paths('maildev') ?? []) {
    const bin = path.join(dir, 'maildev', 'dist', 'bin', 'maildev.js');
    if (fs.existsSync(bin)) return bin;
  }
  throw new Error(`maildev ${MAILDEV_VERSION} is not installed (a devDependency of tools/stack): run npm ci`);
}

/** Whether an SMTP server at `smtp[s]://host:port` greets with 220 (a plain-SMTP check; smtps is not spoken here). */
function smtpGreets(url: string, timeoutMs = 1_000): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  const port = Number(parsed.port || (parsed.protocol === 'smtps:' ? 465 : 25));
  if (parsed.protocol === 'smtps:') return portOpen(parsed.hostname, port, timeoutMs);
  return new Promise((resolve) => {
    const socket = net.connect({ host: parsed.hostname, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => {
      socket.write('QUIT\r\n');
      done(chunk.toString().startsWith('220'));
    });
  });
}

function portOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

async function restApiAnswers(): Promise<boolean> {
  try {
    const response = await fetch(`${maildevWebUrl()}/api/healthz`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The local SMTP server the alerter mails the admins through. Both its ports are bound to loopback
 * (`--ip`, `--web-ip`; MailDev's defaults are every interface). Healthy when SMTP greets and, for the
 * one the stack runs, its REST API answers. SMTP_URL set elsewhere: that server is used instead.
 */
export const maildevService: ManagedService = {
  name: 'maildev',
  envVar: 'SMTP_URL',
  get localValue() {
    return `smtp://127.0.0.1:${stackPorts().smtp}`;
  },
  get ports() {
    const { smtp, maildevWeb } = stackPorts();
    return [smtp, maildevWeb];
  },
  describe: () => `MailDev ${MAILDEV_VERSION} (web UI and REST API at ${maildevWebUrl()})`,
  startTimeoutMs: 30_000,

  async install() {
    maildevBin();
  },

  async prepare() {
    fs.mkdirSync(path.join(stackDir(), 'maildev'), { recursive: true });
  },

  command() {
    const { smtp, maildevWeb } = stackPorts();
    return {
      cmd: process.execPath,
      args: [
        maildevBin(),
        '--ip',
        '127.0.0.1',
        '--web-ip',
        '127.0.0.1',
        '--smtp',
        String(smtp),
        '--web',
        String(maildevWeb),
        '--max-emails',
        '10000',
      ],
    };
  },

  async healthy(url: string) {
    if (!(await smtpGreets(url))) return false;
    return url !== this.localValue || restApiAnswers();
  },
};
