#!/usr/bin/env node
import { main } from '../dist/lib/cli/main.js';

// A reader that stopped early (`nucseg score --csv - | head`) is not an error: end quietly.
// Any other failure to write standard output (a full disk) is one line and exit code 2.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (stream === process.stdout) process.stderr.write(`nucseg: cannot write to standard output (${e.code ?? e.message})\n`);
    process.exitCode = 2;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`nucseg: internal error (please report):\n${e?.stack ?? e}\n`);
    process.exitCode = 2;
  },
);
