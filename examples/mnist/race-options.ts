// What the MNIST race runs without flags: its optimizers and their settings (no Node imports, so the playground reads them too).

/** The lr (and momentum) each optimizer races with by default: the settings of issue #5 / PyTorch's MNIST example. */
export const RACE_OPTIONS: Record<string, Record<string, number>> = {
  sgd: { lr: 0.1 },
  momentum: { lr: 0.01, momentum: 0.9 },
  nag: { lr: 0.01, momentum: 0.9 },
  adagrad: { lr: 0.01 },
  adadelta: { lr: 1.0 },
  rmsprop: { lr: 0.001 },
  adam: { lr: 0.001 },
  muon: { lr: 0.01 }, // its default 0.02 ends at 96.8% in this race, 0.01 at 97.9%
};

/** The race without --optimizers: the seven optimizers of the lecture notes. */
export const DEFAULT_OPTIMIZERS = ["sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam"];
