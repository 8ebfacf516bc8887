// segmentArgs (lib/segment/slurm.ts) writes the CLI flags each Slurm task runs with: the
// inverse of toSegmentOptions (lib/cli/segment-options.ts). Parsed back by the real CLI, the
// flags must give the same options, so a new output option cannot be dropped on a cluster.
import { createRequire } from 'node:module';
import { Cli } from 'clipanion';
import { describe, expect, it, vi } from 'vitest';
import { SegmentCommand } from '../../lib/cli/segment.js';
import { toSegmentOptions } from '../../lib/cli/segment-options.js';
import { segmentArgs } from '../../lib/segment/slurm.js';

vi.mock('clipanion', () => createRequire(import.meta.url)('clipanion'));

function roundTrip(args: string[]) {
  const cli = new Cli({ binaryName: 'nucseg' });
  cli.register(SegmentCommand);
  return toSegmentOptions(cli.process(['segment', 'in/', '--out', 'r', ...args]) as unknown as Record<string, unknown>);
}

describe('segmentArgs', () => {
  it('every option, every output switch on, parses back to the same options', () => {
    const opts = roundTrip(['--model', 'classic', '--device', 'cpu', '--batch', '2', '--diameter', '30', '--tta', '--threshold', '0.4', '--min-area', '20', '--max-area', '900', '--normalize', 'percentile', '--percentiles', '2,99', '--range', '10,500', '--z', '1', '--stack-channel', '0', '--channel', '01', '--name-pattern', '_(?<well>[A-P]\\d{2})', '--threads', '3', '--overlay', '--geojson', '--roi-zip', '--thumbnails', '--no-csv', '--tile', '512', '--overlap', '64', '--force']);
    for (const k of ['overlay', 'geojson', 'roiZip', 'thumbnails', 'force', 'tta'] as const) expect(opts[k], k).toBe(true);
    expect(roundTrip(segmentArgs(opts))).toEqual(opts);
  });

  it('the defaults parse back to the defaults', () => {
    const opts = roundTrip([]);
    expect(roundTrip(segmentArgs(opts))).toEqual(opts);
  });
});
