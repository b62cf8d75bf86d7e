/**
 * Compiles the byte scanner for counted lines (wasm/counted-lines.ts, AssemblyScript) and writes
 * it, base64, into src/parse/counted-lines.wasm.ts, which is committed: the project runs from
 * source (tests, tsx) and from its build without a WebAssembly toolchain. `npm run build:wasm`
 * after changing the source; test/parse/counted-bytes.test.ts fails while the two differ.
 */
import asc from 'assemblyscript/asc';
import { readFileSync, writeFileSync } from 'node:fs';

const SOURCE = 'wasm/counted-lines.ts';
const OUT = 'src/parse/counted-lines.wasm.ts';
const ROOT = new URL('..', import.meta.url);

/** The compiled module's bytes. */
export async function compileCountedLines() {
  let binary = null;
  const { error, stderr } = await asc.main(
    [SOURCE, '--outFile', 'counted-lines.wasm', '-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '--use', 'abort=', '--enable', 'simd'],
    {
      readFile: (name, baseDir) => {
        try {
          return readFileSync(new URL(`${baseDir ? `${baseDir}/` : ''}${name}`, ROOT), 'utf8');
        } catch {
          return null;
        }
      },
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm')) binary = contents;
      },
      listFiles: () => [],
    },
  );
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  if (binary === null) throw new Error('asc wrote no module');
  return Buffer.from(binary);
}

/** The TypeScript module that holds `bytes`. */
export function wasmModuleSource(bytes) {
  return `// Written by scripts/build-wasm.mjs from ${SOURCE} (AssemblyScript): do not edit.\nexport const COUNTED_LINES_WASM =\n  '${bytes.toString('base64')}';\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL(OUT, ROOT), wasmModuleSource(await compileCountedLines()));
}
