#!/usr/bin/env node
import { main } from '../dist/lib/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`nucseg: internal error (please report):\n${e?.stack ?? e}\n`);
    process.exitCode = 2;
  },
);
