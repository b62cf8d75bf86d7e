/**
 * The raw outputs of a collection as one text file for the thread (`files.uploadV2`), so anyone
 * can check the report against what the node printed. Pure. Command lines are shown decoded and
 * redacted ({@link redactSection}), whatever path the bundle took here.
 */
import type { RawBundle } from '../domain/raw.js';
import { redactSection } from '../parse/raw-output.js';

/** Raw text kept per job: Redis holds it until the upload, and Slack's viewer struggles past this. */
export const MAX_RAW_BYTES = 2 * 1024 * 1024;

/** Renders every section with its exit status and stderr, cut at `maxBytes` with a note. */
export function renderRawText(bundle: RawBundle, maxBytes = MAX_RAW_BYTES): string {
  const parts = [`# tcpcheck raw outputs: ${bundle.node} via ${bundle.transport}, collected ${bundle.collectedAt}, ${bundle.intervalSec} s between samples\n`];
  for (const s of bundle.sections.map(redactSection)) {
    parts.push(`\n===== ${s.name} (exit ${s.exitCode ?? 'none: did not finish'}) =====\n${s.stdout}`);
    if (s.stderr.trim()) parts.push(`\n----- ${s.name} stderr -----\n${s.stderr}`);
  }
  const text = parts.join('');
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const note = `\n\n[cut at ${maxBytes} bytes of ${Buffer.byteLength(text)}; run \`tcpcheck check NODE --save DIR\` for everything]\n`;
  return Buffer.from(text).subarray(0, maxBytes - Buffer.byteLength(note)).toString('utf8').replace(/\uFFFD$/, '') + note;
}
