// A kernel worker thread in Node: gets its WorkerInit as workerData and serves jobs (worker-loop.mjs).
// Plain JS, so no TypeScript loader is needed.

import { workerData } from "node:worker_threads";
import { serve } from "./worker-loop.mjs";

serve(workerData);
