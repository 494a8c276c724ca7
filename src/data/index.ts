// The data package: Dataset, TensorDataset, Subset, DataLoader and feature standardization (browser-safe: no Node APIs).

export { TensorDataset, Subset, subset, featureMeanStd, standardize, type Dataset } from "./dataset.ts";
export { DataLoader, shuffledIndices, type DataLoaderOptions, type Batch } from "./dataloader.ts";
