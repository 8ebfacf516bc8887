import { Builtins, Cli } from 'clipanion';
import { isUserError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { InfoCommand } from './info.js';
import { ScoreCommand } from './score.js';
import { SegmentCommand } from './segment.js';
import { WatchCommand } from './watch.js';
import { AugmentCommand } from './augment.js';
import { TrainCommand } from './train.js';
import { ModelsInfoCommand, ModelsListCommand, ModelsVerifyCommand } from './models.js';

/**
 * Runs the CLI with `argv` (without node and script). Bad input prints one line
 * `nucseg: <file>: <reason>` and exits 1; a bug keeps its stack trace and exits 2.
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
  let command;
  try {
    command = cli.process(argv);
  } catch (e) {
    process.stderr.write(cli.error(e as Error));
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
