// Worker thread for `segmentFiles({ jobs > 1 })`: processes one image per message.
import { parentPort } from 'node:worker_threads';
import type { ImageJobOptions, InputFile } from './job.js';
import { processImage } from './process-image.js';

parentPort!.on('message', async (m: { job: InputFile; out: string; opts: ImageJobOptions; threads: number }) => {
  parentPort!.postMessage(await processImage(m.job, m.out, m.opts, m.threads));
});
