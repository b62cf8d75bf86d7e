/** The report in one of the terminal formats. */
import type { Report } from '../domain/report.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function renderReport(report: Report, format: Format, opts: { color: boolean } = { color: false }): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderText(report, opts);
  }
}
