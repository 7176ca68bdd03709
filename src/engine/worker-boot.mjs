// Loads a worker written in TypeScript when the app itself runs from its sources (tsx, vitest): registers
// tsx in this worker thread, then imports the entry. The compiled build (dist/) loads its .js workers directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
