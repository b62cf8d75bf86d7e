/**
 * Writes the built CLI's two one-file bundles (`npm run build`, after tsc):
 *
 * - `dist/src/cli/program.bundle.js`: the command line (src/cli/program.ts) with the command
 *   parser and every command's options, which src/cli/main.ts loads first;
 * - `dist/jobs/analyze.bundle.js`: `tcpcheck analyze`'s whole pipeline (src/cli/commands/analyze-run.ts),
 *   which the analyze command loads when it runs.
 *
 * Loading a hundred small modules one by one cost a fifth of a small `tcpcheck analyze`. What a
 * bundle loads only when asked for (`import()`: the other commands' pipelines, the analysis
 * thread) stays a file of its own, its path rewritten to resolve from the bundle. Packages other
 * than the command parser stay package imports. The test of the bundles (test/cli/bundles.test.ts)
 * builds and bundles into a directory of its own the same way.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const PACKAGES = Object.keys(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).dependencies);

/** The modules a bundle loads when asked for stay files: an `import()` path is rewritten to resolve from the bundle. */
const lazyImportsStayFiles = (outfile) => ({
  name: 'lazy-imports-stay-files',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const rel = relative(dirname(outfile), resolve(args.resolveDir, args.path));
      return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
    });
  },
});

/** Bundles `entry` into `outfile`; `bundled` names the packages inlined (the rest stay imports). */
async function bundle(entry, outfile, bundled = []) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    external: PACKAGES.filter((p) => !bundled.includes(p)),
    // A CommonJS package inlined into an ES module asks for `require`.
    banner: bundled.length === 0 ? undefined : { js: "import { createRequire as __tcpcheckRequire } from 'node:module'; const require = __tcpcheckRequire(import.meta.url);" },
    plugins: [lazyImportsStayFiles(outfile)],
  });
}

/** Both bundles of the modules tsc wrote into `dir`, written into `dir` too. */
export async function bundleAll(dir) {
  const root = resolve(dir);
  await bundle(resolve(root, 'src/cli/program.js'), resolve(root, 'src/cli/program.bundle.js'), ['commander']);
  await bundle(resolve(root, 'src/cli/commands/analyze-run.js'), resolve(root, 'jobs/analyze.bundle.js'));
}

if (import.meta.url === `file://${process.argv[1]}`) await bundleAll(process.argv[2] ?? 'dist');
