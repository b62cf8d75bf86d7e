/**
 * Writes the one-file bundle of `tcpcheck analyze` (src/cli/commands/analyze-run.ts and all it
 * imports) that the built CLI loads: `npm run build` bundles the compiled JavaScript beside
 * jobs/diagnose.js; the test of the bundle (test/cli/analyze-bundle.test.ts) bundles the sources.
 * zod stays a package import, and the analysis thread (loaded only by `serve`, whose worker file
 * lies beside it) stays a file import that resolves from jobs/.
 */
import { build } from 'esbuild';

export const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['zod', '../src/app/analysis-thread.js'],
  logLevel: 'warning',
};

export async function bundleAnalyze(entry, outfile) {
  await build({ ...BUNDLE_OPTIONS, entryPoints: [entry], outfile });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await bundleAnalyze('dist/src/cli/commands/analyze-run.js', 'dist/jobs/analyze.bundle.js');
}
