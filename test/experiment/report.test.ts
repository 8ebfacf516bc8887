// nucseg experiment report (lib/experiment/report.ts) on folders that are not finished
// experiments: one clear error, or "not run" for strategies without scores.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeExperimentReport } from '../../lib/experiment/report.js';
import { tempDir } from '../helpers/tools.js';

function experiment(results: string): string {
  const dir = tempDir('nucseg-exp-report-');
  mkdirSync(join(dir, 'results'));
  const strategy = (factor: string, value: string) => ({ augment: 'k', train_args: [], inputs: [], factor, value, changed: {}, recipe: { cycles: 1 } });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ plan: '/p/plan.yaml', plan_sha256: 'ab'.repeat(32), nucseg: [], augment: {}, strategies: { baseline: strategy('baseline', '-'), 'cycles-2': strategy('cycles', '2') }, replicates: [0, 1], tests: { held: { images: 'i', labels: 'l', inputs: [] } }, iou: [0.7, 0.9], factors: ['cycles'], design: 'one_at_a_time', device: 'cpu' }));
  writeFileSync(join(dir, 'results.csv'), results);
  return dir;
}
const HEAD = 'strategy,factor,value,cycles,replicate,test_set,iou,tp,fp,fn,f1,precision,recall,splits,merges,train_s\n';

describe('nucseg experiment report', () => {
  it('an experiment without scores yet, or a folder that is not one, is one clear error', async () => {
    await expect(writeExperimentReport(experiment(HEAD))).rejects.toThrow(/results\.csv: no scores yet: the experiment has not finished/);
    const notOne = tempDir('nucseg-exp-report-');
    await expect(writeExperimentReport(notOne)).rejects.toThrow(/no readable config\.json/);
    writeFileSync(join(notOne, 'config.json'), '[]');
    await expect(writeExperimentReport(notOne)).rejects.toThrow(/config\.json is not the config of a `nucseg experiment run` workflow/);
  });

  it('a strategy not run yet says so; n counts the replicates that finished', async () => {
    const dir = experiment(HEAD + 'baseline,baseline,-,1,0,held,0.7,8,2,2,0.8,0.8,0.8,0,0,10\nbaseline,baseline,-,1,0,held,0.9,5,5,5,0.5,0.5,0.5,0,0,10\n');
    const html = readFileSync(await writeExperimentReport(dir), 'utf8');
    const table = html.slice(html.indexOf('id="factor-cycles"'), html.indexOf('</table>', html.indexOf('id="factor-cycles"')));
    expect(table).toContain('<td>baseline</td><td>(baseline)</td><td data-v="1">1</td><td>0.800 ± 0.000</td><td>0.500 ± 0.000</td>');
    expect(table).toContain('<td>cycles-2</td><td>2</td><td data-v="0">0</td><td>not run</td><td>not run</td>');
    expect(html.replace(/<script[\s\S]*?<\/script>/g, '')).not.toContain('NaN'); // the page's text, not the Vega runtime
  });
});
