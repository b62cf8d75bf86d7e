/** Inputs no parser may throw on: every parser test runs them. */
export const GARBAGE: [string, string][] = [
  ['empty input', ''],
  ['only blank lines', '\n\n   \n'],
  ['binary junk', '\u0000\u0001\u00ff\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0000'],
  ['an HTML error page', '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>\n'],
  ['truncated lines', 'LISTEN 0\nESTAB 0 0 10.0.0.1:\nTcpExt: ListenOverflows\nnet.core.somax'],
];
