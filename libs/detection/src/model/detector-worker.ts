/**
 * Entry of a detector worker thread: one YOLO session, fed by the main thread's ThreadedDetector.
 * onnxruntime-node runs `session.run` synchronously on the calling thread, so inference on the main
 * thread would hold up every other camera, link and HTTP request for its whole duration.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Yuv420Image } from '../image/yuv420-image';
import type { DetectorReply, DetectorRequest, DetectorWorkerData, StageTimes } from './detector-worker-protocol';
import { YoloDetector } from './yolo-detector';

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('detector-worker runs as a worker thread only');
  const post = (reply: DetectorReply) => port.postMessage(reply);
  let detector: YoloDetector;
  try {
    detector = await YoloDetector.create((workerData as DetectorWorkerData).options);
  } catch (error) {
    const e = error as Error;
    post({ kind: 'failed', name: e.name ?? 'Error', message: e.message ?? String(error) });
    return;
  }
  post({ kind: 'ready', labels: detector.labels, description: detector.description, inputSide: detector.inputSide });
  // One request at a time, in arrival order: the session and its input tensor are this thread's.
  let chain = Promise.resolve();
  port.on('message', (request: DetectorRequest | 'close') => {
    if (request === 'close') {
      chain = chain.then(() => detector.dispose()).finally(() => port.close());
      return;
    }
    chain = chain.then(async () => {
      const stages: StageTimes = { preprocess: 0, inference: 0, postprocess: 0 };
      try {
        const { data, width, height, pixelFormat } = request.image;
        const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        const image = pixelFormat === 'yuv420p' ? new Yuv420Image(bytes, width, height) : { data: bytes, width, height, channels: 3 as const };
        const candidates = await detector.detect(image, request.placement, (stage, ms) => (stages[stage] += ms));
        post({ kind: 'result', id: request.id, candidates, stages });
      } catch (error) {
        post({ kind: 'error', id: request.id, message: (error as Error).message ?? String(error) });
      }
    });
  });
}

void serve();
