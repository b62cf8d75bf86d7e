// Loaded with `node --import` by parse-bench.ts: reports the process's peak RSS (KB) on fd 3 at exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(3, String(process.resourceUsage().maxRSS));
});
