/**
 * A module of the CLI, or its one-file bundle when the CLI was built with one (scripts/bundle.mjs).
 * Under tsx (development, tests) the module; built, the bundle, or the module when the bundle was
 * not built. Each import is passed as a function so it stays a literal `import()`, which the
 * bundler rewrites to resolve from the bundle.
 */
export async function builtOrModule<T>(bundle: () => Promise<unknown>, module: () => Promise<T>): Promise<T> {
  if (!import.meta.url.endsWith('.ts')) {
    try {
      return (await bundle()) as T;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return module();
}
