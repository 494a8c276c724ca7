// Dataset loaders (Node only): the IDX reader and MNIST, its subset, Fashion-MNIST and directories of IDX files.

export { readIdx, parseIdx, encodeIdx, type IdxArray, type IdxData, type IdxType } from "./idx.ts";
export {
  loadMnist,
  loadIdxDir,
  standardize,
  featureMeanStd,
  MNIST_MEAN,
  MNIST_STD,
  MNIST_CLASSES,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  IDX_FILES,
  MAX_UNNAMED_CLASSES,
  type MnistSource,
  type LoadMnistOptions,
  type LoadIdxDirOptions,
  type MnistData,
} from "./mnist.ts";
