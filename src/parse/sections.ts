/**
 * Splits the collection script's framed output into sections.
 *
 *     @@TCPCHECK BEGIN ss-all
 *     LISTEN 0 128 0.0.0.0:22 0.0.0.0:*
 *     @@TCPCHECK END ss-all rc=0
 *     @@TCPCHECK ERR ss-all ss: some warning
 *
 * Output cut short (size cap, lost connection) leaves the last section without an END: it is kept
 * with `exitCode: null` so the parsers still read what arrived.
 */
import type { RawSection } from '../domain/raw.js';

const MARK = '@@TCPCHECK ';

/** True when the text carries the collection script's section markers. */
export function hasSectionMarkers(text: string): boolean {
  return text.startsWith(`${MARK}BEGIN `) || text.includes(`\n${MARK}BEGIN `);
}

export function splitSections(text: string): RawSection[] {
  const sections: RawSection[] = [];
  const byName = new Map<string, RawSection>();
  let current: RawSection | null = null;
  let bodyStart = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    if (text.startsWith(MARK, pos)) {
      const line = text.slice(pos + MARK.length, end);
      const [kind, name = '', ...rest] = line.split(' ');
      if (kind === 'BEGIN') {
        current = { name, stdout: '', stderr: '', exitCode: null };
        sections.push(current);
        byName.set(name, current);
        bodyStart = end + 1;
      } else if (kind === 'END' && current && current.name === name) {
        // The script prints a newline before END so a last line without one is not glued to the marker.
        current.stdout = text.slice(bodyStart, Math.max(bodyStart, pos - 1));
        const rc = /^rc=(\d+)$/.exec(rest[0] ?? '');
        current.exitCode = rc ? Number(rc[1]) : null;
        current = null;
      } else if (kind === 'ERR') {
        const target = byName.get(name);
        if (target) target.stderr += `${rest.join(' ')}\n`;
      }
    }
    pos = end + 1;
  }
  if (current) current.stdout = text.slice(bodyStart);
  return sections;
}
