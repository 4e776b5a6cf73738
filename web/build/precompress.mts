import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Writes a `.gz` beside each script and stylesheet once they are on disk (their final bytes: Vite
 * still rewrites chunks while the bundle is generated); the gateway sends it to clients that take gzip.
 */
export function precompress(): Plugin {
  return {
    name: 'rideshare-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const fileName of Object.keys(bundle).filter((f) => /\.(js|css)$/.test(f))) {
        const file = path.join(dir, fileName);
        fs.writeFileSync(`${file}.gz`, gzipSync(fs.readFileSync(file)));
      }
    },
  };
}
