import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The goal for the app's JavaScript, gzipped (issue 13): the build reports against it. */
export const JS_BUDGET_BYTES = 200 * 1024;

/**
 * Prints the gzipped size of all emitted JavaScript and writes it to `bundle-size.json` beside the
 * app, so the build reports one number and a test can hold it to the budget.
 */
export function bundleSize(): Plugin {
  return {
    name: 'rideshare-bundle-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).flatMap((item) =>
        item.type === 'chunk' ? [{ file: item.fileName, gzip: gzipSync(item.code).length }] : [],
      );
      const jsGzipBytes = chunks.reduce((sum, chunk) => sum + chunk.gzip, 0);
      this.emitFile({
        type: 'asset',
        fileName: 'bundle-size.json',
        source: JSON.stringify({ jsGzipBytes, budgetBytes: JS_BUDGET_BYTES, chunks }, null, 2),
      });
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      console.log(
        `[web] JavaScript: ${kb(jsGzipBytes)} gzipped in ${chunks.length} chunks (goal ${kb(JS_BUDGET_BYTES)})`,
      );
    },
  };
}
