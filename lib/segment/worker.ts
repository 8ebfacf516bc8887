// Worker thread for `segmentFiles({ jobs > 1 })`: processes one image per message.
import { parentPort } from 'node:worker_threads';
import { processImage, type ImageJobOptions, type InputFile } from './batch.js';

parentPort!.on('message', async (m: { job: InputFile; out: string; opts: ImageJobOptions; threads: number }) => {
  parentPort!.postMessage(await processImage(m.job, m.out, m.opts, m.threads));
});
