// The race's models: the MLP and LeNet-5 for 28×28 digits, each optionally with batch norm after every hidden layer.

import { nn } from "../../src/index.ts";

export type ModelKind = "mlp" | "cnn";
export const MODEL_KINDS: readonly ModelKind[] = ["mlp", "cnn"];

export interface ModelConfig {
  /** Hidden widths of the MLP (ignored by the CNN). */
  hidden: readonly number[];
  /** Dropout after each hidden layer of the MLP (0: none). */
  dropout: number;
  /** BatchNorm after each conv and hidden Linear, before its ReLU. */
  batchnorm: boolean;
}

/** Pixels per image and classes, as both models expect them: rows of 28·28 = 784 values, 10 classes. */
export const IMAGE_SIDE = 28;
export const CLASSES = 10;

/** input → hidden … → 10 with ReLU, optional BatchNorm1d and dropout. */
export function mlp(config: ModelConfig, inputs = IMAGE_SIDE * IMAGE_SIDE, classes = CLASSES): nn.Sequential {
  const layers: nn.Module[] = [];
  let width = inputs;
  for (const h of config.hidden) {
    layers.push(new nn.Linear(width, h));
    if (config.batchnorm) layers.push(new nn.BatchNorm1d(h));
    layers.push(new nn.ReLU());
    if (config.dropout > 0) layers.push(new nn.Dropout(config.dropout));
    width = h;
  }
  layers.push(new nn.Linear(width, classes));
  return new nn.Sequential(...layers);
}

/**
 * LeNet-5 as the issue fixes it (LeCun et al., 1998, with ReLU and max-pooling): conv 5×5 ×6 with
 * padding 2, ReLU, max-pool 2; conv 5×5 ×16, ReLU, max-pool 2; Linear 400→120→84→10. The first layer
 * views a row of 784 pixels as a 1×28×28 image. The same model in PyTorch (identical state-dict keys):
 *
 *   nn.Sequential(nn.Unflatten(1, (1, 28, 28)),
 *                 nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
 *                 nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
 *                 nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
 *
 * With batchnorm, a BatchNorm2d follows each conv and a BatchNorm1d each hidden Linear, before the ReLU.
 */
export function lenet5(config: Pick<ModelConfig, "batchnorm">, classes = CLASSES): nn.Sequential {
  const bn = (layer: nn.Module, norm: () => nn.Module) => (config.batchnorm ? [layer, norm()] : [layer]);
  return new nn.Sequential(
    new nn.Unflatten(1, [1, IMAGE_SIDE, IMAGE_SIDE]),
    ...bn(new nn.Conv2d(1, 6, 5, { padding: 2 }), () => new nn.BatchNorm2d(6)), new nn.ReLU(), new nn.MaxPool2d(2),
    ...bn(new nn.Conv2d(6, 16, 5), () => new nn.BatchNorm2d(16)), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
    ...bn(new nn.Linear(400, 120), () => new nn.BatchNorm1d(120)), new nn.ReLU(),
    ...bn(new nn.Linear(120, 84), () => new nn.BatchNorm1d(84)), new nn.ReLU(),
    new nn.Linear(84, classes),
  );
}

/** The model a race runs: `kind` picks the family, the rest of the config shapes it. */
export function buildModel(kind: ModelKind, config: ModelConfig, classes = CLASSES): nn.Sequential {
  return kind === "cnn" ? lenet5(config, classes) : mlp(config, IMAGE_SIDE * IMAGE_SIDE, classes);
}
