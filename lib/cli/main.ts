import { Builtins, Cli } from 'clipanion';
import { isUserError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { InfoCommand } from './info.js';
import { ScoreCommand } from './score.js';
import { SegmentCommand } from './segment.js';
import { WatchCommand } from './watch.js';
import { AugmentCommand } from './augment.js';
import { TrainCommand } from './train.js';
import { ModelsExportCommand, ModelsImportCommand, ModelsInfoCommand, ModelsListCommand, ModelsVerifyCommand } from './models.js';
import { AnnotationsConvertCommand } from './annotations.js';
import { ExperimentRunCommand } from './experiment.js';
import { ReportCommand } from './report.js';
import { ExperimentReportCommand } from './experiment-report.js';

/**
 * Runs the CLI with `argv` (without node and script). Bad input prints one line
 * `nucseg: <file>: <reason>` and exits 1; a bug keeps its stack trace and exits 2.
 *
 * @example
 * ```ts
 * import { runCli } from 'nucseg';
 * const code = await runCli(['score', '--gt', 'examples/gt', '--pred', 'examples/pred', '--quiet', '--json', 'score.json']);
 * process.exitCode = code; // 0, or 1 for bad input (one line on stderr)
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const cli = new Cli({ binaryLabel: 'nucseg', binaryName: 'nucseg', binaryVersion: VERSION, enableColors: false });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(ScoreCommand);
  cli.register(InfoCommand);
  cli.register(SegmentCommand);
  cli.register(WatchCommand);
  cli.register(AugmentCommand);
  cli.register(TrainCommand);
  cli.register(ModelsListCommand);
  cli.register(ModelsInfoCommand);
  cli.register(ModelsVerifyCommand);
  cli.register(ModelsExportCommand);
  cli.register(ModelsImportCommand);
  cli.register(AnnotationsConvertCommand);
  cli.register(ExperimentRunCommand);
  cli.register(ReportCommand);
  cli.register(ExperimentReportCommand);
  let command;
  try {
    command = cli.process(argv);
  } catch (e) {
    const plain = explainUsageError(argv, (e as Error).message);
    process.stderr.write(plain ? `nucseg: ${plain}\n` : cli.error(e as Error));
    return 1;
  }
  try {
    return await cli.run(command);
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`nucseg: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`nucseg: internal error (please report):\n${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

/** Required options per command, for saying which one is missing. */
const REQUIRED: Record<string, string[]> = { score: ['--gt', '--pred'], segment: ['--out'], watch: ['--out'], augment: ['--out'], train: ['--data', '--out'], annotations: ['--to', '--out'], experiment: ['--out'] };

/**
 * One plain line for the usage errors clipanion words confusingly (issue 12): a required
 * option left out ("Command not found") and a negative number taken for an option ("Not
 * enough arguments to option --z"). Null: keep clipanion's message.
 */
export function explainUsageError(argv: readonly string[], message: string): string | null {
  const cmd = argv[0];
  const help = cmd && REQUIRED[cmd] ? ` (nucseg ${cmd} --help lists every option)` : '';
  const negative = (o: string, v: string) => `${o} ${v}: a negative number is read as an option; write ${o}=${v}${help}`;
  const isNumber = (a: string | undefined) => a !== undefined && /^-\d/.test(a);
  const opt = /Not enough arguments to option (\S+?)\.?$/m.exec(message)?.[1];
  if (opt) {
    const next = argv[argv.indexOf(opt) + 1];
    return isNumber(next) ? negative(opt, next) : `${opt} needs a value${help}`;
  }
  if (!/Command not found/.test(message)) return null;
  // a command whose positional arguments are optional reports the '-1' as an unknown option instead
  const i = argv.findIndex((a, k) => k > 1 && isNumber(a) && /^--?[a-z]/i.test(argv[k - 1]) && !argv[k - 1].includes('='));
  if (i > 0) return negative(argv[i - 1], argv[i]);
  if (cmd && REQUIRED[cmd]) {
    const given = new Set(argv.map((a) => a.split('=')[0]));
    const missing = REQUIRED[cmd].filter((o) => !given.has(o) && !(o === '--out' && given.has('-o')));
    if (missing.length) return `${cmd}: missing ${missing.join(' and ')}${help}`;
  }
  return null;
}
