#!/usr/bin/env node
/**
 * The tcpcheck command line (./program.ts). Built, it runs from one file bundled with the command
 * parser and every command's options (`dist/src/cli/program.bundle.js`, see scripts/bundle.mjs):
 * loading them module by module was a fifth of a small `tcpcheck analyze`. Under tsx
 * (development, tests), or when the bundle was not built, from the modules.
 */
type Program = typeof import('./program.js');

async function load(): Promise<Program> {
  if (!import.meta.url.endsWith('.ts')) {
    try {
      // @ts-expect-error: written by scripts/bundle.mjs into the build output only.
      return (await import('./program.bundle.js')) as Program;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return import('./program.js');
}

await (await load()).run(process.argv);
