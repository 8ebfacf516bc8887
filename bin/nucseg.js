#!/usr/bin/env node
import { main } from '../dist/lib/cli/main.js';

// A reader that stopped early (`nucseg score --csv - | head`) is not an error: end quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
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
