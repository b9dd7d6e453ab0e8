import { RemoteError } from '../../src-shared/contract.ts';
import type { FromWorker } from './train-worker-messages.ts';
import { spawnTrainingWorker } from './spawn-training-worker.ts';

/**
 * The compute backend line (as the CLI prints it) of a training worker, asked of a short-lived worker by the same
 * code a training job runs: the answer is what training really uses, and tfjs (possibly a native addon) is never
 * loaded into the process that asks (Electron's main process, the server).
 */
export function trainingBackendLine(catalogPath: string): Promise<string> {
  const worker = spawnTrainingWorker(catalogPath, { kind: 'backend' });
  return new Promise<string>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'backend') resolve(m.line);
      else if (m.type === 'error') reject(new RemoteError(m.error.code, m.error.message));
    });
    worker.on('error', (e) => reject(new RemoteError('WORKER_CRASHED', `training worker crashed: ${e.message}`)));
    worker.on('exit', (code) => reject(new RemoteError('WORKER_CRASHED', `training worker exited (code ${code}) without naming its backend`)));
  });
}
