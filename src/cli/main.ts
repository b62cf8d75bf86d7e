#!/usr/bin/env node
/**
 * The tcpcheck command line (./program.ts). Built, it runs from one file bundled with the command
 * parser and every command's options (`dist/src/cli/program.bundle.js`, see scripts/bundle.mjs):
 * loading them module by module was a fifth of a small `tcpcheck analyze`.
 */
import { builtOrModule } from './built.js';

const { run } = await builtOrModule(
  // @ts-expect-error: written by scripts/bundle.mjs into the build output only.
  () => import('./program.bundle.js'),
  () => import('./program.js'),
);
await run(process.argv);
