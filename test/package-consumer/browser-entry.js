// A page's script bundled by esbuild: the core for the browser, and the kernels as a file next to the bundle.
import { loadWasmKernels, nn, tensor } from "ndgrad";
import kernelsUrl from "ndgrad/kernels.wasm";

await loadWasmKernels(new URL(kernelsUrl, import.meta.url));
const layer = new nn.Linear(2, 1);
console.log(layer.forward(tensor([[1, 2]])).toArray());
