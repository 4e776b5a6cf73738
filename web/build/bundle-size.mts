import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The goal for the app's JavaScript, gzipped (issue 13): the build reports against it. */
export const JS_BUDGET_BYTES = 200 * 1024;

/**
 * Prints the gzipped size of all JavaScript the build wrote (read back from disk: the bytes a browser
 * gets) and writes it to `bundle-size.json` beside the app, so a test can hold it to the budget.
 */
export function bundleSize(): Plugin {
  return {
    name: 'rideshare-bundle-size',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      const chunks = Object.values(bundle).flatMap((item) =>
        item.type === 'chunk'
          ? [{ file: item.fileName, gzip: gzipSync(fs.readFileSync(path.join(dir, item.fileName))).length }]
          : [],
      );
      const jsGzipBytes = chunks.reduce((sum, chunk) => sum + chunk.gzip, 0);
      const report = { jsGzipBytes, budgetBytes: JS_BUDGET_BYTES, chunks };
      fs.writeFileSync(path.join(dir, 'bundle-size.json'), JSON.stringify(report, null, 2));
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      console.log(
        `[web] JavaScript: ${kb(jsGzipBytes)} gzipped in ${chunks.length} chunks (goal ${kb(JS_BUDGET_BYTES)})`,
      );
    },
  };
}
