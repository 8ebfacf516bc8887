import { Command, Option } from 'clipanion';
import { info } from '../info.js';
import { NucsegCommand } from './base.js';

export class InfoCommand extends NucsegCommand {
  static override paths = [['info']];
  static override usage = Command.Usage({ description: 'Show the version and the compute backends this installation has' });

  json = Option.Boolean('--json', false, { description: 'Print as JSON' });

  async run(): Promise<number> {
    const i = await info();
    if (this.json) {
      this.context.stdout.write(JSON.stringify(i, null, 2) + '\n');
      return 0;
    }
    const c = i.native.cuda;
    const lines = [
      `nucseg ${i.version} (node ${i.node}, ${i.platform})`,
      `native kernels: cpu (${i.native.cpu.threads} threads, ${i.native.cpu.simd})${i.native.sanitized ? ' [ASan build]' : ''}`,
      `cuda kernels:   ${c.compiled ? (c.devices > 0 ? `compiled, ${c.devices} GPU(s): ${c.device}` : `compiled, no usable GPU (${c.error || 'none found'})`) : 'not compiled (no nvcc at build time, or NUCSEG_CUDA=OFF)'}`,
      `kernel backends in use: ${i.kernelBackends.join(', ')}`,
      `native addon:   ${i.addon.kind} (${i.addon.path})`,
      `onnxruntime:    ${i.onnxruntime.version ?? `not loadable (${i.onnxruntime.error})`}${i.onnxruntime.cudaProvider ? ", CUDA provider installed" : ", no CUDA provider (CPU and WebGPU only; see the README to add it)"}`,
    ];
    this.context.stdout.write(lines.join('\n') + '\n');
    return 0;
  }
}
