import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Writes a `.gz` beside each script and stylesheet: the gateway sends it to clients that take gzip. */
export function precompress(): Plugin {
  return {
    name: 'rideshare-precompress',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const item of Object.values(bundle)) {
        const source =
          item.type === 'chunk' ? item.code : item.fileName.endsWith('.css') ? item.source : undefined;
        if (source === undefined) continue;
        this.emitFile({ type: 'asset', fileName: `${item.fileName}.gz`, source: gzipSync(source) });
      }
    },
  };
}
