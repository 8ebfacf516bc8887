#!/usr/bin/env node
// `npm test` runs this first (pretest): the tests use Debian's Python packages and libtiff
// tools as independent references (list: scripts/test-packages.txt, also read by .ci/run),
// and the CLI tests run bin/nucseg.js -> dist/, so dist/ is rebuilt from the sources here
// (a stale dist/ would pass or fail for the wrong reason).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgs = readFileSync(join(root, 'scripts', 'test-packages.txt'), 'utf8').split(/\s+/).filter(Boolean);
const missing = pkgs.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
if (missing.length) {
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (apt && process.getuid?.() === 0 && process.env.NUCSEG_TEST_NO_INSTALL !== '1') {
    console.error(`nucseg tests: installing ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
  } else {
    console.error(`nucseg tests need these Debian packages: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
}
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
