// A kernel worker in the browser (a module Web Worker): gets its WorkerInit in one message at start,
// then serves jobs through the shared memory (worker-loop.mjs); no message is posted per call.

import { serve } from "./worker-loop.mjs";

self.addEventListener("message", (event) => serve(event.data), { once: true });
