// The module the specs' clusters start in each worker thread: Node 20 does not carry tsx's
// loader from `--import tsx` into a worker, so this plain module registers it, then runs the
// TypeScript worker named by workerData.options.module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.options.module);
