// Every public kernel has a runnable `@example` in its doc comment (lib/kernels/*.ts), and
// each example runs against the real library and prints what its `// comments` say.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/augment/config.js';
import * as kernels from '../../lib/kernels/index.js';
import { labelOverlap } from '../../lib/kernels/overlap.js';
import { REPO } from '../helpers/data.js';

// What the examples import from 'nucseg', taken from the modules lib/index.ts re-exports
// (importing lib/index.ts itself pulls in the CLI, which does not load under vitest); the
// names are checked against lib/index.ts's export list below.
const nucseg: Record<string, unknown> = { kernels, labelOverlap, loadConfig };

/** Names lib/index.ts exports (values and types). */
function indexExports(): Set<string> {
  const src = readFileSync(join(REPO, 'lib', 'index.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of src.matchAll(/export (?:type )?\{([^}]*)\}/g)) for (const part of m[1].split(',')) names.add(part.trim().replace(/^type /, '').split(/\s+as\s+/).pop()!);
  for (const m of src.matchAll(/export \* as (\w+)/g)) names.add(m[1]);
  return names;
}

const DIR = join(REPO, 'lib', 'kernels');

/** function name → the example's code, from every doc comment of the kernel files. */
function examples(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.ts'))) {
    const src = readFileSync(join(DIR, f), 'utf8');
    for (const m of src.matchAll(/@example\n \* ```ts\n([\s\S]*?) \* ```\n \*\/\nexport (?:async )?function (\w+)/g)) {
      out.set(m[2], m[1].split('\n').map((l) => l.replace(/^ \* ?/, '')).join('\n'));
    }
  }
  return out;
}

/** How console.log would show the values, written as the examples' comments write them. */
function show(v: unknown): string {
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return `[${Array.from(v as ArrayLike<unknown>, show).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  return String(v);
}

/** The value part of a `// comment`: up to ': ' or ' (' (the rest explains). */
function expectedOf(comment: string): string {
  return comment.split(/: | \(/)[0].trim();
}

/** Runs an example (`import ... from 'nucseg'` bound to lib/index.ts); returns each console.log line. */
async function run(code: string): Promise<string[]> {
  const js = code.replace(/import \{([^}]*)\} from 'nucseg';/g, 'const {$1} = nucseg;').replace(/ as const\b/g, '').replace(/console\.log\(/g, 'log(');
  const lines: string[] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('nucseg', 'log', js)(nucseg, (...args: unknown[]) => lines.push(args.map(show).join(' ')));
  return lines;
}

const EXAMPLES = examples();

describe('kernel doc examples', () => {
  it('every function exported from lib/kernels/index.ts has one', () => {
    const fns = Object.entries(kernels).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    expect(fns.length).toBeGreaterThan(20);
    expect(fns.filter((f) => !EXAMPLES.has(f))).toEqual([]);
  });

  for (const [name, code] of EXAMPLES) {
    it(`${name}: runs and prints what it says`, async () => {
      const imported = [...code.matchAll(/import \{([^}]*)\} from 'nucseg';/g)].flatMap((m) => m[1].split(',').map((n) => n.trim()));
      expect(imported.length).toBeGreaterThan(0);
      for (const n of imported) {
        expect(indexExports().has(n), `${n} is exported from lib/index.ts`).toBe(true);
        expect(nucseg[n], `${n} is bound for the examples`).toBeDefined();
      }
      const said = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => expectedOf(m[1]));
      expect(said.length).toBeGreaterThan(0);
      expect(await run(code)).toEqual(said);
    });
  }
});
