/** Collects the lines a parser could not read: a count and a few examples, never an exception. */
import type { ParseIssue } from '../domain/snapshot.js';

const MAX_EXAMPLES = 3;
const MAX_EXAMPLE_CHARS = 160;

/** A fresh, empty issue for one source. */
export function createIssue(source: string): ParseIssue {
  return { source, skipped: 0, examples: [] };
}

/**
 * Counts one unreadable line and keeps it as an example while there are few. `clean` (e.g.
 * redaction) runs only on the lines kept, so a flood of bad lines costs a count each.
 */
export function skipLine(issue: ParseIssue, line: string, clean?: (line: string) => string): void {
  issue.skipped++;
  if (issue.examples.length < MAX_EXAMPLES) {
    // Control characters from binary junk would garble a terminal or a Slack message.
    issue.examples.push((clean ? clean(line.slice(0, MAX_EXAMPLE_CHARS * 4)) : line).slice(0, MAX_EXAMPLE_CHARS).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?'));
  }
}

/** Sums issues of the same source (e.g. the two counter samples) so a report shows one line per source. */
export function mergeIssues(issues: ParseIssue[]): ParseIssue[] {
  const bySource = new Map<string, ParseIssue>();
  for (const issue of issues) {
    const seen = bySource.get(issue.source);
    if (!seen) {
      bySource.set(issue.source, { source: issue.source, skipped: issue.skipped, examples: [...issue.examples] });
      continue;
    }
    seen.skipped += issue.skipped;
    for (const ex of issue.examples) if (seen.examples.length < MAX_EXAMPLES) seen.examples.push(ex);
  }
  return [...bySource.values()];
}
