import { Command } from 'clipanion';
import { isUserError } from '../util/errors.js';

/**
 * Base of every nucseg command: bad input prints one line `nucseg: <file>: <reason>` on
 * stderr and exits 1; anything else is a bug and prints its stack trace, exit 2.
 */
export abstract class NucsegCommand extends Command {
  abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (e) {
      if (isUserError(e)) {
        this.context.stderr.write(`nucseg: ${e.message}\n`);
        return 1;
      }
      this.context.stderr.write(`nucseg: internal error (please report):\n${(e as Error)?.stack ?? e}\n`);
      return 2;
    }
  }
}
