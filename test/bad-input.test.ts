// Bad input at every public entry point: one row per case, each a clear error naming the function and the value, or PyTorch's result.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { arange, data, DataLoader, detectAnomaly, full, Generator, gradcheck, indexSelect, manualSeed, nn, ones, optim, permute, rand, randn, setBackend, setNumThreads, squeeze, Tensor, tensor, TensorDataset, to, toDot, TrainingDiagnostics, unsqueeze, zeros, zerosLike } from "../src/index.ts";
import { deserialize, load, loadCheckpoint, loadWithMetadata, save, saveCheckpoint, serialize } from "../src/io/index.ts";
import { asciiLineChart, createRunDir, DivergenceCheck, emaSmooth, formatExp, formatFixed, formatInteger, formatMetricsCsv, formatNumber, formatPercent, formatSeconds, formatTable, lineChartSpec, parseMetrics, readMetrics, RunRecorder, TrainingProgress, trajectoryChartSvg, writeFileAtomic } from "../src/report/index.ts";
import { loadMnist } from "../datasets/index.ts";

const F = nn.functional;
const dir = mkdtempSync(join(tmpdir(), "ndgrad-bad-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const leaf = () => ones([1], { requiresGrad: true });
const sgd = () => new optim.SGD([leaf()], { lr: 0.1 });
const dataset = (n = 2) => new TensorDataset(new Float32Array(2 * n), new Int32Array(n), [2]);
/** Steps an optimizer once after setting the parameter's grad to `grad`. */
function stepWith(grad: unknown, tweak: (o: optim.Adam) => void = () => {}) {
  const p = ones([2], { requiresGrad: true });
  const o = new optim.Adam([p], {});
  p.grad = grad as Tensor;
  tweak(o);
  o.step();
  return p;
}
const u = <T>(v: unknown) => v as T;

type ErrorClass = typeof Error | typeof TypeError | typeof RangeError;
/** [what, the call, the error class and a pattern of its message]. */
type ErrorCase = [string, () => unknown, ErrorClass, RegExp];
/** [what, the call, PyTorch's result]. */
type ResultCase = [string, () => unknown, unknown];

const errors: Record<string, ErrorCase[]> = {
  "tensor creation": [
    ["a string as data", () => tensor(u("abc")), TypeError, /tensor: expected a number, nested arrays of numbers or a typed array, got "abc" \(a string\)/],
    ["null as data", () => tensor(u(null)), TypeError, /tensor: expected .* got null/],
    ["an object as data", () => tensor(u({ a: 1 })), TypeError, /tensor: expected .* got Object/],
    ["a ragged nested array", () => tensor(u([[1, 2], [3]])), TypeError, /tensor: ragged nested array: values\[1\] has length 1, expected 2/],
    ["a string inside the data", () => tensor(u([1, "a"])), TypeError, /tensor: values\[1\] is "a" \(a string\) where a number was expected/],
    ["an unknown dtype", () => tensor([1], { dtype: u("int8") }), TypeError, /tensor: unknown dtype "int8" \(valid: float32, float64\)/],
    ["a typed array that does not fill the shape", () => tensor(new Float32Array(6), { shape: [4, 2] }), RangeError, /tensor: shape \[4, 2\] holds 8 elements, but the array has 6/],
    ["a negative shape", () => tensor(new Float32Array(6), { shape: [-2, -3] }), RangeError, /invalid shape \[-2, -3\]: sizes must be non-negative integers/],
    ["nested data and a shape that does not fit", () => tensor([1, 2, 3], { shape: [2, 2] }), RangeError, /tensor: shape \[2, 2\] does not fit data of shape \[3\]/],
    ["zeros(-1)", () => zeros(-1), RangeError, /zeros: invalid shape \[-1\]/],
    ["zeros(2.5)", () => zeros(2.5), RangeError, /zeros: invalid shape \[2.5\]/],
    ["zeros([NaN])", () => zeros([NaN]), RangeError, /zeros: invalid shape \[NaN\]/],
    ["zeros([Infinity])", () => zeros([Infinity]), RangeError, /zeros: invalid shape \[Infinity\]/],
    ["zeros('3')", () => zeros(u<number>("3")), RangeError, /zeros: invalid shape \["3"\]/],
    ["ones([2, -1])", () => ones([2, -1]), RangeError, /ones: invalid shape \[2, -1\]/],
    ["full with a string value", () => full([2], u("x")), TypeError, /full: the fill value must be a number, got "x" \(a string\)/],
    ["full with a number as shape", () => full(u(3), 1), TypeError, /full: shape must be an array of sizes such as \[2, 3\], got 3/],
    ["rand(-3)", () => rand(-3), RangeError, /rand: invalid shape \[-3\]/],
    ["randn(1.5)", () => randn(1.5), RangeError, /randn: invalid shape \[1.5\]/],
    ["arange with step 0", () => arange(0, 10, 0), RangeError, /arange: .* step nonzero/],
    ["arange to NaN", () => arange(NaN), RangeError, /arange: .* must be finite/],
    ["arange with a step away from the end", () => arange(0, 10, -1), RangeError, /arange: upper bound and larger bound inconsistent with step sign/],
  ],
  "tensor ops": [
    ["add of shapes that do not broadcast", () => ones([2, 3]).add(ones([4])), RangeError, /add: shapes \[2, 3\] and \[4\] cannot be broadcast together/],
    ["add of a string", () => ones([2]).add(u("1")), TypeError, /add: second operand must be a Tensor, got "1" \(a string\)/],
    ["add of null", () => ones([2]).add(u(null)), TypeError, /add: second operand must be a Tensor, got null/],
    ["add of float32 and float64", () => ones([2]).add(ones([2], { dtype: "float64" })), TypeError, /add: dtypes differ \(float32 and float64\)/],
    ["matmul with inner dims that differ", () => ones([2, 3]).matmul(ones([4, 5])), RangeError, /matmul: \[2, 3\] @ \[4, 5\]: inner dimensions 3 and 4 differ/],
    ["matmul of a 0-d tensor", () => tensor(1).matmul(ones([2])), RangeError, /matmul: \[\] @ \[2\]: both operands need at least 1 dim/],
    ["matmul of float32 and float64", () => ones([2, 2]).matmul(ones([2, 2], { dtype: "float64" })), TypeError, /matmul: dtypes differ/],
    ["reshape to another size", () => ones([2, 3]).reshape(4, 2), RangeError, /reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/],
    ["reshape with two -1", () => ones([2, 3]).reshape(-1, -1), RangeError, /reshape: only one dim may be -1/],
    ["reshape to a fractional size", () => ones([2, 3]).reshape(1.5, 4), RangeError, /reshape: invalid shape \[1.5, 4\]/],
    ["transpose of a dim out of range", () => ones([2, 3]).transpose(0, 2), RangeError, /transpose: dim 2 is out of range for a tensor of 2 dims \(expected -2 to 1\)/],
    ["transpose of a fractional dim", () => ones([2, 3]).transpose(0.5, 1), TypeError, /transpose: dim must be an integer, got 0.5/],
    ["sum over dim 5", () => ones([2, 3]).sum(5), RangeError, /sum: dim 5 is out of range/],
    ["sum over a string dim", () => ones([2, 3]).sum(u("1")), TypeError, /sum: dim must be an integer, got "1"/],
    ["softmax over dim 3", () => ones([2, 3]).softmax(3), RangeError, /softmax: dim 3 is out of range/],
    ["max of an empty tensor", () => zeros([0]).max(), RangeError, /max: the tensor is empty/],
    ["argmax of an empty tensor", () => zeros([0]).argmax(0), RangeError, /argmax: the tensor is empty/],
    ["pow with a string exponent", () => ones([2]).pow(u("2")), TypeError, /pow: the exponent must be a number, got string/],
    ["clamp with a NaN bound", () => tensor([1, 5]).clamp(NaN, 2), RangeError, /clamp: min and max must not be NaN/],
    ["clamp with no bound", () => tensor([1, 5]).clamp(), TypeError, /clamp: give at least one of min and max/],
    ["leakyRelu with a string slope", () => ones([2]).leakyRelu(u("x")), TypeError, /leakyRelu: negativeSlope must be a number, got "x"/],
    ["item of 2 elements", () => ones([2]).item(), RangeError, /item: only a one-element tensor converts to a number, this one has shape \[2\]/],
    ["item of an empty tensor", () => zeros([0]).item(), RangeError, /item: .* shape \[0\]/],
    ["indexSelect out of range", () => indexSelect(ones([3, 2]), 0, [5]), RangeError, /indexSelect: index 5 at position 0 is out of range for dim 0 of size 3/],
    ["squeeze of a dim out of range", () => squeeze(ones([3, 2]), 5), RangeError, /squeeze: dim 5 is out of range/],
    ["unsqueeze of a dim out of range", () => unsqueeze(ones([3, 2]), 5), RangeError, /unsqueeze: dim 5 is out of range/],
    ["permute that repeats a dim", () => permute(ones([3, 2]), [0, 0]), RangeError, /permute: \[0, 0\] is not a permutation/],
    ["to an unknown dtype", () => to(ones([2]), u("int8")), TypeError, /to: unknown dtype "int8"/],
  ],
  autograd: [
    ["backward of a non-scalar without a gradient", () => ones([2], { requiresGrad: true }).mul(2).backward(), Error, /backward: a gradient is needed for a non-scalar output of shape \[2\]/],
    ["backward of a tensor that needs no grad", () => ones([2]).sum().backward(), Error, /backward: this tensor does not require grad/],
    ["backward with a gradient of another shape", () => ones([2], { requiresGrad: true }).mul(2).backward(ones([3])), Error, /backward: the gradient must match the output \(\[2\] float32\), got \[3\]/],
    ["gradcheck of a non-function", () => gradcheck(u(3), [ones([1], { dtype: "float64" })]), TypeError, /gradcheck: the first argument must be a function/],
    ["gradcheck of float32 inputs", () => gradcheck((x) => x.sum(), [ones([1])]), TypeError, /gradcheck: input 0 is float32; finite differences need float64 inputs/],
  ],
  "nn layers": [
    ["Linear(-1, 3)", () => new nn.Linear(-1, 3), RangeError, /Linear: inFeatures must be a non-negative integer, got -1/],
    ["Linear(2.5, 3)", () => new nn.Linear(2.5, 3), RangeError, /Linear: inFeatures must be a non-negative integer, got 2.5/],
    ["Linear(NaN, 3)", () => new nn.Linear(NaN, 3), RangeError, /Linear: inFeatures must be a non-negative integer, got NaN/],
    ["Linear(3, -4)", () => new nn.Linear(3, -4), RangeError, /Linear: outFeatures must be a non-negative integer, got -4/],
    ["Linear on the wrong number of features", () => new nn.Linear(3, 4).forward(ones([2, 5])), RangeError, /Linear\(3, 4\): expected input with 3 features \(last dim\), got \[2, 5\]/],
    ["Linear on float64 input", () => new nn.Linear(3, 4).forward(ones([2, 3], { dtype: "float64" })), TypeError, /Linear\(3, 4\): input is float64 but weight is float32/],
    ["Linear on a nested array", () => new nn.Linear(3, 4).forward(u([[1, 2, 3]])), TypeError, /Linear\(3, 4\): input must be a Tensor/],
    ["linear with a bias of the wrong shape", () => F.linear(ones([2, 3]), ones([4, 3]), ones([5])), RangeError, /linear: bias must have shape \[4\], got \[5\]/],
    ["Dropout(1.5)", () => new nn.Dropout(1.5), RangeError, /Dropout: p must be in \[0, 1\], got 1.5/],
    ["Dropout(NaN)", () => new nn.Dropout(NaN), RangeError, /Dropout: p must be in \[0, 1\], got NaN/],
    ["dropout with p = 2", () => F.dropout(ones([2]), 2), RangeError, /dropout: p must be in \[0, 1\], got 2/],
    ["LeakyReLU with a string slope", () => new nn.LeakyReLU(u("x")), RangeError, /LeakyReLU: negativeSlope must be a number/],
    ["Sequential of a number", () => new nn.Sequential(u(3)), TypeError, /Sequential: argument 0 is not a Module \(got number\)/],
    ["Sequential of a plain function", () => new nn.Sequential(u((x: Tensor) => x)), TypeError, /Sequential: argument 0 is not a Module \(got function\)/],
    ["loadStateDict(null)", () => new nn.Linear(2, 2).loadStateDict(u(null)), TypeError, /Linear.loadStateDict: expected an object of name → Tensor, got null/],
    ["loadStateDict with a shape that differs", () => new nn.Linear(2, 2).loadStateDict({ weight: ones([3, 2]), bias: ones([2]) }), Error, /size mismatch for "weight": the model has shape \[2, 2\], the state dict has \[3, 2\]/],
    ["init.uniform with a > b", () => nn.init.uniform(ones([2]), 1, 0), RangeError, /init.uniform: expected a <= b/],
    ["init.normal with std < 0", () => nn.init.normal(ones([2]), 0, -1), RangeError, /init.normal: std must be >= 0/],
  ],
  losses: [
    ["crossEntropy with label 10 of 10 classes", () => F.crossEntropy(ones([2, 10]), [1, 10]), RangeError, /crossEntropy: target 10 at position 1 is out of range for 10 classes \(valid: 0 to 9\)/],
    ["crossEntropy with label -1", () => F.crossEntropy(ones([2, 10]), [1, -1]), RangeError, /crossEntropy: target -1 at position 1 is out of range/],
    ["crossEntropy with label 1.5", () => F.crossEntropy(ones([2, 10]), [1, 1.5]), TypeError, /crossEntropy: target 1.5 at position 1 is not an integer class index/],
    ["crossEntropy with label NaN", () => F.crossEntropy(ones([2, 10]), [1, NaN]), TypeError, /crossEntropy: target NaN at position 1 is not an integer class index/],
    ["crossEntropy with fewer labels than rows", () => F.crossEntropy(ones([2, 10]), [1]), RangeError, /crossEntropy: batch sizes differ: logits has 2 rows but target has 1 labels/],
    ["crossEntropy with a string target", () => F.crossEntropy(ones([2, 10]), u("1")), TypeError, /crossEntropy: target must be class indices/],
    ["crossEntropy of 1-D logits", () => F.crossEntropy(ones([10]), [1]), RangeError, /crossEntropy: logits must be 2-D \[batch, classes\], got \[10\]/],
    ["crossEntropy with an unknown reduction", () => F.crossEntropy(ones([2, 10]), [1, 2], { reduction: u("avg") }), TypeError, /crossEntropy: reduction must be "mean", "sum" or "none", got "avg"/],
    ["crossEntropy with labelSmoothing 2", () => F.crossEntropy(ones([2, 10]), [1, 2], { labelSmoothing: 2 }), RangeError, /crossEntropy: labelSmoothing must be in \[0, 1\], got 2/],
    ["nllLoss with a label out of range", () => F.nllLoss(ones([2, 3]), [3, 0]), RangeError, /nllLoss: target 3 at position 0 is out of range for 3 classes/],
    ["mseLoss of shapes that differ", () => F.mseLoss(ones([2, 3]), ones([3, 2])), RangeError, /mseLoss: input \[2, 3\] and target \[3, 2\] must have the same shape/],
    ["mseLoss of an array target", () => F.mseLoss(ones([2]), u([1, 1])), TypeError, /mseLoss: target must be a Tensor/],
    ["mseLoss of float32 and float64", () => F.mseLoss(ones([2]), ones([2], { dtype: "float64" })), TypeError, /mseLoss: input is float32 but target is float64/],
    ["binaryCrossEntropyWithLogits of shapes that differ", () => F.binaryCrossEntropyWithLogits(ones([2]), ones([3])), RangeError, /binaryCrossEntropyWithLogits: input \[2\] and target \[3\] must have the same shape/],
    ["clipGradNorm with maxNorm NaN", () => nn.utils.clipGradNorm([leaf()], NaN), TypeError, /clipGradNorm: maxNorm must be a number, got NaN/],
    ["clipGradNorm with maxNorm -1", () => nn.utils.clipGradNorm([leaf()], -1), RangeError, /clipGradNorm: maxNorm must be >= 0, got -1/],
    ["clipGradValue with -1", () => nn.utils.clipGradValue([leaf()], -1), RangeError, /clipGradValue: clipValue must be >= 0, got -1/],
  ],
  optimizers: [
    ["lr NaN", () => new optim.SGD([leaf()], { lr: NaN }), RangeError, /SGD: Invalid learning rate: NaN \(must be a finite number >= 0\)/],
    ["lr Infinity", () => new optim.SGD([leaf()], { lr: Infinity }), RangeError, /SGD: Invalid learning rate: Infinity/],
    ["lr as a string", () => new optim.SGD([leaf()], { lr: u("0.1") }), RangeError, /SGD: Invalid learning rate: "0.1"/],
    ["no lr for SGD", () => new optim.SGD([leaf()], u({})), TypeError, /SGD: parameter group 0 didn't specify a value of required optimization parameter lr/],
    ["nesterov without momentum", () => new optim.SGD([leaf()], { lr: 0.1, nesterov: true }), RangeError, /SGD: Nesterov momentum requires a momentum and zero dampening/],
    ["momentum -0.5", () => new optim.SGD([leaf()], { lr: 0.1, momentum: -0.5 }), RangeError, /SGD: Invalid momentum value: -0.5/],
    ["nesterov as a string", () => new optim.SGD([leaf()], { lr: 0.1, momentum: 0.9, nesterov: u("yes") }), TypeError, /SGD: Invalid nesterov value: "yes" \(must be true or false\)/],
    ["betas [1, 0.999]", () => new optim.Adam([leaf()], { betas: [1.0, 0.999] }), RangeError, /Adam: Invalid beta parameter at index 0: 1 \(must be in \[0, 1\)\)/],
    ["betas of length 1", () => new optim.Adam([leaf()], { betas: u([0.9]) }), RangeError, /Adam: Invalid betas value: \[0.9\] \(must be a pair/],
    ["betas [NaN, 0.9]", () => new optim.Adam([leaf()], { betas: [NaN, 0.9] }), RangeError, /Adam: Invalid beta parameter at index 0: NaN/],
    ["eps -1", () => new optim.Adam([leaf()], { eps: -1 }), RangeError, /Adam: Invalid epsilon value: -1/],
    ["weightDecay NaN", () => new optim.AdamW([leaf()], { weightDecay: NaN }), RangeError, /AdamW: Invalid weightDecay value: NaN/],
    ["an unknown option", () => new optim.Adam([leaf()], u({ learningRate: 0.1 })), TypeError, /^Adam: unknown option "learningRate" \(valid: lr, betas, eps, weightDecay, amsgrad, maximize\)$/],
    ["an empty parameter list", () => new optim.Adam([], {}), RangeError, /Adam: optimizer got an empty parameter list/],
    ["numbers as parameters", () => new optim.Adam(u([1, 2]), {}), TypeError, /Adam: optimizer can only optimize Tensors, but parameter 0 of group 0 is 1/],
    ["undefined parameters", () => new optim.Adam(u(undefined), {}), TypeError, /Adam: params must be a list of tensors or of parameter groups, got undefined/],
    ["a non-leaf parameter", () => new optim.Adam([leaf().mul(2)], {}), TypeError, /Adam: can't optimize a non-leaf Tensor .* made by "mul"/],
    ["lr set to NaN between steps", () => stepWith(ones([2]), (o) => (o.paramGroups[0].lr = NaN)), RangeError, /Adam: parameter group 0: Invalid learning rate: NaN/],
    ["a grad of another shape", () => stepWith(ones([3])), RangeError, /Adam: parameter 0 of group 0 has shape \[2\] but its grad has shape \[3\]/],
    ["a grad of another dtype", () => stepWith(ones([2], { dtype: "float64" })), TypeError, /Adam: parameter 0 of group 0 is float32 but its grad is float64/],
    ["a grad that is not a Tensor", () => stepWith([1, 1]), TypeError, /Adam: parameter 0 of group 0 has a grad that is not a Tensor/],
    ["Adagrad lrDecay -1", () => new optim.Adagrad([leaf()], { lrDecay: -1 }), RangeError, /Adagrad: Invalid lrDecay value: -1/],
    ["Adadelta rho 1.5", () => new optim.Adadelta([leaf()], { rho: 1.5 }), RangeError, /Adadelta: Invalid rho value: 1.5 \(must be in \[0, 1\]\)/],
    ["RMSprop alpha -1", () => new optim.RMSprop([leaf()], { alpha: -1 }), RangeError, /RMSprop: Invalid alpha value: -1/],
    ["RMSprop alpha 1.5 (training would turn NaN)", () => new optim.RMSprop([leaf()], { alpha: 1.5 }), RangeError, /^RMSprop: Invalid alpha value: 1.5 \(must be in \[0, 1\)\)$/],
    ["NAdam momentumDecay -1", () => new optim.NAdam([leaf()], { momentumDecay: -1 }), RangeError, /NAdam: Invalid momentumDecay value: -1/],
    ["Adamax eps NaN", () => new optim.Adamax([leaf()], { eps: NaN }), RangeError, /Adamax: Invalid epsilon value: NaN/],
    ["create of an unknown name", () => optim.create("sophia", [leaf()], {}), RangeError, /optim.create: unknown optimizer "sophia" \(valid: sgd, momentum/],
    ["create of a number", () => optim.create(u<string>(3), [leaf()], {}), TypeError, /optim.create: the name must be a string, got 3/],
    ["loadStateDict of another group count", () => sgd().loadStateDict({ state: {}, paramGroups: [] }), RangeError, /SGD.loadStateDict: the state dict has 0 parameter groups, this optimizer has 1/],
  ],
  schedulers: [
    ["StepLR stepSize 0", () => new optim.lrScheduler.StepLR(sgd(), { stepSize: 0 }), RangeError, /StepLR: stepSize must be a positive integer, got 0/],
    ["StepLR gamma NaN", () => new optim.lrScheduler.StepLR(sgd(), { stepSize: 1, gamma: NaN }), RangeError, /StepLR: gamma must be a finite number, got NaN/],
    ["CosineAnnealingLR tMax -1", () => new optim.lrScheduler.CosineAnnealingLR(sgd(), { tMax: -1 }), RangeError, /CosineAnnealingLR: tMax must be a positive integer, got -1/],
    ["MultiStepLR milestones [1.5]", () => new optim.lrScheduler.MultiStepLR(sgd(), { milestones: [1.5] }), RangeError, /MultiStepLR: milestones must be an array of integers >= 0, got \[1.5\]/],
    ["a scheduler of a non-optimizer", () => new optim.lrScheduler.StepLR(u({}), { stepSize: 1 }), TypeError, /StepLR: the first argument must be an Optimizer, got Object/],
    ["ReduceLROnPlateau mode 'up'", () => new optim.lrScheduler.ReduceLROnPlateau(sgd(), u({ mode: "up" })), RangeError, /ReduceLROnPlateau: mode "up" is unknown \(valid: min, max\)/],
    ["ReduceLROnPlateau step(NaN)", () => new optim.lrScheduler.ReduceLROnPlateau(sgd()).step(NaN), TypeError, /ReduceLROnPlateau.step: the metric must be a number, got NaN/],
  ],
  data: [
    ["DataLoader batchSize 0", () => new DataLoader(dataset(), { batchSize: 0 }), RangeError, /DataLoader: invalid batchSize 0 \(must be an integer >= 1\)/],
    ["DataLoader batchSize NaN", () => new DataLoader(dataset(), { batchSize: NaN }), RangeError, /DataLoader: invalid batchSize NaN/],
    ["DataLoader batchSize 2.5", () => new DataLoader(dataset(), { batchSize: 2.5 }), RangeError, /DataLoader: invalid batchSize 2.5/],
    ["DataLoader without options", () => new DataLoader(dataset(), u(undefined)), TypeError, /^DataLoader: batchSize must be an integer >= 1, got undefined$/],
    ["DataLoader of an array", () => new DataLoader(u([1, 2]), { batchSize: 1 }), TypeError, /DataLoader: dataset must be a Dataset/],
    ["DataLoader shuffle 'yes'", () => new DataLoader(dataset(), { batchSize: 1, shuffle: u("yes") }), TypeError, /DataLoader: shuffle must be true or false/],
    ["DataLoader.setEpoch(-1)", () => new DataLoader(dataset(), { batchSize: 1 }).setEpoch(-1), RangeError, /DataLoader.setEpoch: invalid epoch -1/],
    ["TensorDataset of features and labels that differ in count", () => new TensorDataset(new Float32Array(6), new Int32Array(2), [2]), RangeError, /TensorDataset: 2 labels need 4 feature values/],
    ["TensorDataset featureShape [-2]", () => new TensorDataset(new Float32Array(4), new Int32Array(2), [-2]), RangeError, /TensorDataset: featureShape must be an array of positive integers, got \[-2\]/],
    ["TensorDataset of a plain array", () => new TensorDataset(u([1, 2]), new Int32Array(1), [2]), TypeError, /TensorDataset: features must be a Float32Array, got \[1, 2\] \(an array\)/],
    ["TensorDataset of float labels", () => new TensorDataset(new Float32Array(4), u(new Float32Array([0.5, 1])), [2]), TypeError, /TensorDataset: labels must be an Int32Array, got Float32Array/],
    ["loadMnist trainLimit -1", () => loadMnist({ source: "mnist-subset", trainLimit: -1 }), RangeError, /loadMnist: invalid trainLimit -1/],
    ["loadMnist trainLimit 1.5", () => loadMnist({ source: "mnist-subset", trainLimit: 1.5 }), RangeError, /loadMnist: invalid trainLimit 1.5/],
    ["loadMnist with a misspelt option", () => loadMnist({ source: "mnist-subset", trainlimit: 100 } as never), TypeError, /^loadMnist: unknown option "trainlimit" \(valid: source, trainLimit, testLimit\)$/],
    ["loadMnist with options that are not an object", () => loadMnist("mnist" as never), TypeError, /^loadMnist: options must be an object \{ source, trainLimit, testLimit \}, got "mnist" \(a string\)$/],
    ["manualSeed(NaN)", () => manualSeed(NaN), RangeError, /manualSeed: seed must be a finite number, got NaN/],
    ['manualSeed("1")', () => manualSeed("1" as unknown as number), RangeError, /^manualSeed: seed must be a finite number, got "1" \(a string\)$/],
    ["Generator.setState of 2 words", () => new Generator().setState([1, 2]), TypeError, /Generator.setState: expected 4 unsigned 32-bit integers/],
  ],
  "save and load": [
    ["serialize of a number", () => serialize({ a: u(3) }), TypeError, /serialize: "a" is not a Tensor \(got number\)/],
    ["deserialize of a string", () => deserialize(u("abc")), TypeError, /deserialize: expected a Uint8Array, got string/],
    ["load of a missing file", () => load(join(dir, "missing.safetensors")), Error, /load ".*missing.safetensors": ENOENT/],
    ["load of a zero-length file", () => (writeFileSync(join(dir, "empty.safetensors"), ""), load(join(dir, "empty.safetensors"))), Error, /the file is empty \(0 bytes\)/],
    ["saveCheckpoint of a non-module", () => saveCheckpoint(join(dir, "c.safetensors"), { model: u({}) }), TypeError, /saveCheckpoint ".*": model must be an nn.Module, got Object/],
    ["saveCheckpoint with epoch -1", () => saveCheckpoint(join(dir, "c.safetensors"), { epoch: -1 }), RangeError, /epoch must be an integer >= 0, got -1/],
    ["saveCheckpoint with a typed array in extra", () => saveCheckpoint(join(dir, "c.safetensors"), { extra: u({ w: new Float32Array(1) }) }), TypeError, /extra.w is a Float32Array/],
    ["loadCheckpoint of random bytes", () => (writeFileSync(join(dir, "noise.safetensors"), Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 255)), loadCheckpoint(join(dir, "noise.safetensors"))), Error, /loadCheckpoint ".*noise.safetensors": .*(header length|truncated|JSON)/],
  ],
};

/** Where PyTorch defines a result for odd input, ndgrad gives the same. */
const results: ResultCase[] = [
  ["tensor of NaN and Infinity keeps them", () => tensor([NaN, Infinity]).toArray(), [NaN, Infinity]],
  ["zeros([0, 3]) is an empty tensor", () => zeros([0, 3]).shape, [0, 3]],
  ["the sum of an empty tensor is 0", () => zeros([0]).sum().item(), 0],
  ["the mean of an empty tensor is NaN", () => zeros([0]).mean().item(), NaN],
  ["softmax of an empty batch is empty", () => zeros([0, 3]).softmax(1).shape, [0, 3]],
  ["matmul of an empty batch is an empty batch", () => zeros([0, 3]).matmul(ones([3, 2])).shape, [0, 2]],
  ["matmul over an inner dim of 0 is zeros", () => zeros([2, 0]).matmul(zeros([0, 3])).toArray(), [[0, 0, 0], [0, 0, 0]]],
  ["clamp with min > max sets everything to max", () => tensor([1, 3, 5]).clamp(4, 2).toArray(), [2, 2, 2]],
  ["Linear on a batch of 0 gives a batch of 0", () => new nn.Linear(3, 4).forward(zeros([0, 3])).shape, [0, 4]],
  ["crossEntropy (mean) of a batch of 0 is NaN", () => F.crossEntropy(zeros([0, 10]), []).item(), NaN],
  ["crossEntropy (sum) of a batch of 0 is 0", () => F.crossEntropy(zeros([0, 10]), [], { reduction: "sum" }).item(), 0],
  ["mseLoss of empty tensors is NaN", () => F.mseLoss(zeros([0]), zeros([0])).item(), NaN],
  ["a NaN gradient makes Adam's parameter NaN", () => Array.from(stepWith(full([2], NaN)).values()), [NaN, NaN]],
  ["a DataLoader over no samples yields no batch", () => [...new DataLoader(dataset(0), { batchSize: 4 })].length, 0],
];

/** The call throws an error of that class whose message matches. */
function expectThrows(call: () => unknown, kind: ErrorClass, message: RegExp): void {
  let thrown: unknown = null;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "expected an error").toBeInstanceOf(kind);
  expect((thrown as Error).message).toMatch(message);
}

describe.each(Object.entries(errors))("%s", (_area, cases) => {
  it.each(cases)("%s", (_what, call, kind, message) => expectThrows(call, kind, message));
});

describe("results PyTorch defines", () => {
  it.each(results)("%s", (_what, call, expected) => {
    expect(call()).toEqual(expected);
  });
});

it("lists at least 60 cases", () => {
  expect(Object.values(errors).flat().length + results.length).toBeGreaterThanOrEqual(60);
});

/** Tensor creation (issue 12.7): the op, the value as given with its type where the type is the problem, and what is valid; exact messages. */
describe("tensor creation: sparse arrays, BigInt, DataView, shapes too large, strings for numbers, options", () => {
  const valid = "(valid typed arrays hold numbers: Float32Array, Float64Array, Int32Array, Uint8Array ...;";
  const cases: [what: string, call: () => unknown, kind: ErrorClass, message: string][] = [
    ["a sparse array", () => tensor(u([1, , 3])), TypeError, "tensor: values[1] is an empty slot of a sparse array ([1, <empty>, 3]); every element must be given"],
    ["a sparse inner array", () => tensor(u([[1, 2], [3, ,]])), TypeError, "tensor: values[1][1] is an empty slot of a sparse array ([3, <empty>]); every element must be given"],
    ["an array of BigInts", () => tensor(u([1n, 2n])), TypeError, "tensor: values[0] is 1n (a bigint) where a number was expected"],
    ["a BigInt64Array", () => tensor(u(new BigInt64Array(2))), TypeError, `tensor: expected a number, nested arrays of numbers or a typed array, got BigInt64Array(2) ${valid} convert it first, e.g. Float64Array.from(data, Number))`],
    ["a DataView", () => tensor(u(new DataView(new ArrayBuffer(8)))), TypeError, `tensor: expected a number, nested arrays of numbers or a typed array, got DataView ${valid} read its numbers into one)`],
    ["zeros too large to allocate", () => zeros([1e6, 1e6]), RangeError, "zeros: shape [1000000, 1000000] is too large to allocate: 1000000000000 float32 elements, 3725.3 GiB (the limit is the engine's typed-array length and the memory available)"],
    ["randn too large to allocate", () => randn(1e5, 1e5, 1e3, { dtype: "float64" }), RangeError, "randn: shape [100000, 100000, 1000] is too large to allocate: 10000000000000 float64 elements, 74505.8 GiB (the limit is the engine's typed-array length and the memory available)"],
    ["arange too long to allocate", () => arange(0, 1e12), RangeError, "arange: shape [1000000000000] is too large to allocate: 1000000000000 float32 elements, 3725.3 GiB (the limit is the engine's typed-array length and the memory available)"],
    ["a Linear too large to allocate", () => new nn.Linear(1e6, 1e6), RangeError, "Linear: shape [1000000, 1000000] is too large to allocate: 1000000000000 float32 elements, 3725.3 GiB (the limit is the engine's typed-array length and the memory available)"],
    ['zeros("3")', () => zeros(u<number>("3")), RangeError, 'zeros: invalid shape ["3"]: sizes must be non-negative integers, got "3" (a string) at position 0'],
    ['ones(2, "3")', () => ones(2, u<number>("3")), RangeError, 'ones: invalid shape [2, "3"]: sizes must be non-negative integers, got "3" (a string) at position 1'],
    ['full([2], "7")', () => full([2], u("7")), TypeError, 'full: the fill value must be a number, got "7" (a string)'],
    ['arange("3")', () => arange(u("3")), TypeError, 'arange: end must be a number, got "3" (a string)'],
    ["a number as the shape of a typed array", () => tensor(new Float32Array(4), { shape: u(4) }), TypeError, "tensor: shape must be an array of sizes such as [2, 3], got 4"],
    ['tensor with requiresGrad: "yes"', () => tensor([1], { requiresGrad: u("yes") }), TypeError, 'tensor: requiresGrad must be true or false, got "yes" (a string)'],
    ['zeros with requiresGrad: "yes"', () => zeros([2], { requiresGrad: u("yes") }), TypeError, 'zeros: requiresGrad must be true or false, got "yes" (a string)'],
    ["rand with requiresGrad: 1", () => rand(2, { requiresGrad: u(1) }), TypeError, "rand: requiresGrad must be true or false, got 1 (a number)"],
    ['zeros with dtype: "int8"', () => zeros([2], { dtype: u("int8") }), TypeError, 'zeros: unknown dtype "int8" (valid: float32, float64)'],
    ['arange with dtype: "int8"', () => arange(3, undefined, 1, { dtype: u("int8") }), TypeError, 'arange: unknown dtype "int8" (valid: float32, float64)'],
    ["options given as a string", () => zeros([2], u<never>("float64")), TypeError, 'zeros: options must be an object such as { dtype: "float64", requiresGrad: true }, got "float64" (a string)'],
    ["a misspelt option", () => ones([2], u<never>({ requires_grad: true })), TypeError, 'ones: unknown option "requires_grad" (valid: dtype, requiresGrad)'],
    ["a generator that is a number", () => randn([2], { generator: u(3) }), TypeError, "randn: generator must be a Generator (new Generator(seed)), got 3 (a number)"],
    ["zerosLike of an array", () => zerosLike(u([1, 2])), TypeError, "zerosLike: input must be a Tensor, got [1, 2] (an array)"],
  ];
  it.each(cases)("%s", (_what, call, kind, message) => expectThrows(call, kind, new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`)));
});

// Every public function's arguments, area by area (src/index.ts's exports, report and datasets): the
// error names the function or option, the value as given (with its type when the type is wrong) and what is valid.
const linear = () => new nn.Linear(2, 3);
const withGrad = () => {
  const p = ones([2], { requiresGrad: true });
  p.grad = ones([2]);
  return p;
};
const run = () => new RunRecorder(mkdtempSync(join(dir, "run-")));
const columns = [{ header: "optimizer" }, { header: "loss" }];
const publicArguments: Record<string, ErrorCase[]> = {
  "nn modules": [
    ['Linear("784", 10)', () => new nn.Linear(u("784"), 10), TypeError, /^Linear: inFeatures must be a non-negative integer, got "784" \(a string\)$/],
    ['Linear(784, "10")', () => new nn.Linear(784, u("10")), TypeError, /^Linear: outFeatures must be a non-negative integer, got "10" \(a string\)$/],
    ["Linear(null, 10)", () => new nn.Linear(u(null), 10), TypeError, /^Linear: inFeatures must be a non-negative integer, got null$/],
    ['Linear with options "x"', () => new nn.Linear(2, 3, u("x")), TypeError, /^Linear: options must be an object such as \{ bias: false \}, got "x" \(a string\)$/],
    ['Linear with bias "no"', () => new nn.Linear(2, 3, { bias: u("no") }), TypeError, /^Linear: bias must be true or false, got "no" \(a string\)$/],
    ['Linear with dtype "int8"', () => new nn.Linear(2, 3, { dtype: u("int8") }), TypeError, /unknown dtype "int8" \(valid: float32, float64\)/],
    ["ReLU on an array", () => new nn.ReLU().forward(u([1, 2])), TypeError, /^relu: input must be a Tensor, got \[1, 2\] \(an array\)$/],
    ["Sigmoid on a number", () => new nn.Sigmoid().forward(u(3)), TypeError, /^sigmoid: input must be a Tensor, got 3 \(a number\)$/],
    ["Tanh on null", () => new nn.Tanh().forward(u(null)), TypeError, /^tanh: input must be a Tensor, got null$/],
    ["GELU on a string", () => new nn.GELU().forward(u("x")), TypeError, /^gelu: input must be a Tensor, got "x" \(a string\)$/],
    ['Softmax("1")', () => new nn.Softmax(u("1")).forward(ones([2, 2])), TypeError, /^softmax: dim must be an integer, got "1"$/],
    ["LogSoftmax(5) on 2 dims", () => new nn.LogSoftmax(5).forward(ones([2, 2])), RangeError, /^logSoftmax: dim 5 is out of range for a tensor of 2 dims \(expected -2 to 1\)$/],
    ['Dropout("0.5")', () => new nn.Dropout(u("0.5")), RangeError, /^Dropout: p must be in \[0, 1\], got "0.5" \(a string\)$/],
    ['Flatten("1")', () => new nn.Flatten(u("1")).forward(ones([2, 2, 2])), TypeError, /^flatten: dim must be an integer, got "1"$/],
    ['CrossEntropyLoss("mean")', () => new nn.CrossEntropyLoss(u("mean")).forward(ones([2, 3]), [0, 1]), TypeError, /^CrossEntropyLoss: options must be an object such as \{ reduction: "sum" \}, got "mean" \(a string\)$/],
    ["NLLLoss with a negative class weight", () => new nn.NLLLoss({ weight: [1, -1, 1] }).forward(ones([2, 3]), [0, 1]), RangeError, /^nllLoss: weight\[1\] is -1; class weights must be finite and >= 0$/],
    ["MSELoss on arrays", () => new nn.MSELoss().forward(u([1]), u([1])), TypeError, /^mseLoss: input must be a Tensor, got \[1\] \(an array\)$/],
    ['BCEWithLogitsLoss with reduction "avg"', () => new nn.BCEWithLogitsLoss({ reduction: u("avg") }).forward(ones([2]), ones([2])), TypeError, /^BCEWithLogitsLoss: reduction must be "mean", "sum" or "none", got "avg" \(a string\)$/],
  ],
  "nn.functional and losses": [
    ["linear of an array", () => F.linear(u([1]), ones([2, 2])), TypeError, /^linear: input must be a Tensor/],
    ["linear with a 1-D weight", () => F.linear(ones([2, 2]), ones([2])), TypeError, /^linear: weight must be a 2-D Tensor \[out, in\], got \[2\]$/],
    ["relu of a number", () => F.relu(u(3)), TypeError, /^relu: input must be a Tensor, got 3 \(a number\)$/],
    ['softmax over dim "1"', () => F.softmax(ones([2, 2]), u("1")), TypeError, /^softmax: dim must be an integer, got "1"$/],
    ['dropout with p "0.5"', () => F.dropout(ones([2]), u("0.5")), RangeError, /^dropout: p must be in \[0, 1\], got "0.5" \(a string\)$/],
    ["crossEntropy with a NaN class weight", () => F.crossEntropy(ones([2, 3]), [0, 1], { weight: [1, NaN, 1] }), RangeError, /^crossEntropy: weight\[1\] is NaN; class weights must be finite and >= 0$/],
    ["crossEntropy with a negative class weight", () => F.crossEntropy(ones([2, 3]), [0, 1], { weight: tensor([1, 1, -0.5]) }), RangeError, /^crossEntropy: weight\[2\] is -0.5; class weights must be finite and >= 0$/],
    ["crossEntropy with an infinite class weight", () => F.crossEntropy(ones([2, 3]), [0, 1], { weight: [Infinity, 1, 1] }), RangeError, /^crossEntropy: weight\[0\] is Infinity; class weights must be finite and >= 0$/],
    ["crossEntropy with a string class weight", () => F.crossEntropy(ones([2, 3]), [0, 1], { weight: u([1, "2", 1]) }), TypeError, /^crossEntropy: weight\[1\] must be a number, got "2" \(a string\)$/],
    ["crossEntropy with weight a string", () => F.crossEntropy(ones([2, 3]), [0, 1], { weight: u("abc") }), TypeError, /^crossEntropy: weight must be a Tensor or an array of 3 numbers \(one per class\), got "abc" \(a string\)$/],
    ["crossEntropy with 2 weights for 3 classes", () => F.crossEntropy(ones([2, 3]), [0, 1], { weight: [1, 1] }), RangeError, /^crossEntropy: weight must have one entry per class \(\[3\]\), got 2 entries$/],
    ["crossEntropy with a misspelt option", () => F.crossEntropy(ones([2, 3]), [0, 1], u({ reduce: "sum" })), TypeError, /^crossEntropy: unknown option "reduce" \(valid: reduction, weight, labelSmoothing\)$/],
    ['crossEntropy with labelSmoothing "0.1"', () => F.crossEntropy(ones([2, 3]), [0, 1], { labelSmoothing: u("0.1") }), RangeError, /^crossEntropy: labelSmoothing must be in \[0, 1\], got "0.1" \(a string\)$/],
    ["crossEntropy with an object as target", () => F.crossEntropy(ones([2, 3]), u({ 0: 1 })), TypeError, /^crossEntropy: target must be class indices \(number\[\], Int32Array or a 1-D Tensor\), got Object$/],
    ["crossEntropy of an array of logits", () => F.crossEntropy(u([[1, 2]]), [0]), TypeError, /^crossEntropy: logits must be a Tensor, got \[\[1, 2\]\] \(an array\)$/],
    ["nllLoss with options 3", () => F.nllLoss(ones([2, 3]), [0, 1], u(3)), TypeError, /^nllLoss: options must be an object such as \{ reduction: "sum" \}, got 3 \(a number\)$/],
    ["mseLoss with labelSmoothing", () => F.mseLoss(ones([2]), ones([2]), u({ labelSmoothing: 0.1 })), TypeError, /^mseLoss: unknown option "labelSmoothing" \(valid: reduction\)$/],
    ["binaryCrossEntropyWithLogits of an array target", () => F.binaryCrossEntropyWithLogits(ones([2]), u([1, 1])), TypeError, /^binaryCrossEntropyWithLogits: target must be a Tensor, got \[1, 1\] \(an array\)$/],
  ],
  "nn.init": [
    ["uniform of an array", () => nn.init.uniform(u([1, 2])), TypeError, /^init: expected a Tensor to fill in place, got \[1, 2\] \(an array\)$/],
    ['constant with "x"', () => nn.init.constant(ones([2]), u("x")), TypeError, /^init.constant: value must be a number, got "x" \(a string\)$/],
    ['xavierUniform with gain "1"', () => nn.init.xavierUniform(ones([2, 2]), u("1")), TypeError, /^init.xavierUniform: options must be a gain or \{ gain, generator \}, got "1" \(a string\)$/],
    ['xavierNormal with gain "1"', () => nn.init.xavierNormal(ones([2, 2]), { gain: u("1") }), TypeError, /^init.xavierNormal: gain must be a number, got "1" \(a string\)$/],
    ['kaimingUniform with mode "fan_in"', () => nn.init.kaimingUniform(ones([2, 2]), { mode: u("fan_in") }), RangeError, /^kaimingUniform: mode must be "fanIn" or "fanOut", got "fan_in"$/],
    ["kaimingNormal of a 1-D tensor", () => nn.init.kaimingNormal(ones([2])), RangeError, /fan in and fan out cannot be computed for a tensor with fewer than 2 dims \(got \[2\]\)/],
    ['calculateGain("foo")', () => nn.init.calculateGain("foo"), RangeError, /^calculateGain: unsupported nonlinearity "foo" \(valid: linear, identity, sigmoid, tanh, relu/],
  ],
  "nn.utils": [
    ['clipGradNorm with options "inf"', () => nn.utils.clipGradNorm([withGrad()], 1, u("inf")), TypeError, /^clipGradNorm: options must be an object such as \{ normType: 2 \}, got "inf" \(a string\)$/],
    ["clipGradNorm with options 2", () => nn.utils.clipGradNorm([withGrad()], 1, u(2)), TypeError, /^clipGradNorm: options must be an object such as \{ normType: 2 \}, got 2 \(a number\)$/],
    ["clipGradNorm with a misspelt option", () => nn.utils.clipGradNorm([withGrad()], 1, u({ norm_type: 1 })), TypeError, /^clipGradNorm: unknown option "norm_type" \(valid: normType, errorIfNonfinite\)$/],
    ['clipGradNorm with maxNorm "1"', () => nn.utils.clipGradNorm([withGrad()], u("1")), TypeError, /^clipGradNorm: maxNorm must be a number, got "1" \(a string\)$/],
    ['clipGradNorm with normType "inf"', () => nn.utils.clipGradNorm([withGrad()], 1, { normType: u("inf") }), RangeError, /^clipGradNorm: normType must be a positive number or Infinity, got "inf" \(a string\)$/],
    ['clipGradNorm with errorIfNonfinite "yes"', () => nn.utils.clipGradNorm([withGrad()], 1, { errorIfNonfinite: u("yes") }), TypeError, /^clipGradNorm: errorIfNonfinite must be true or false, got "yes" \(a string\)$/],
    ["clipGradNorm of a number", () => nn.utils.clipGradNorm(u(3), 1), TypeError, /^clipGradNorm: parameters must be a Tensor or an iterable of Tensors \(e.g. model.parameters\(\)\), got 3$/],
    ["clipGradNorm of [3]", () => nn.utils.clipGradNorm(u([3]), 1), TypeError, /^clipGradNorm: parameter 0 is not a Tensor \(got 3\)$/],
    ['clipGradValue with "1"', () => nn.utils.clipGradValue([withGrad()], u("1")), TypeError, /^clipGradValue: clipValue must be a number >= 0, got "1" \(a string\)$/],
  ],
  "data (arguments)": [
    ['DataLoader batchSize "2"', () => new DataLoader(dataset(), { batchSize: u("2") }), TypeError, /^DataLoader: batchSize must be an integer >= 1, got "2" \(a string\)$/],
    ['DataLoader seed "1"', () => new DataLoader(dataset(), { batchSize: 1, seed: u("1") }), TypeError, /^DataLoader: seed must be a safe integer, got "1" \(a string\)$/],
    ["DataLoader seed 1.5", () => new DataLoader(dataset(), { batchSize: 1, seed: 1.5 }), RangeError, /^DataLoader: invalid seed 1.5 \(must be a safe integer\)$/],
    ['DataLoader options "4"', () => new DataLoader(dataset(), u("4")), TypeError, /^DataLoader: options must be an object with at least \{ batchSize \}, got "4" \(a string\)$/],
    ['DataLoader.setEpoch("1")', () => new DataLoader(dataset(), { batchSize: 1 }).setEpoch(u("1")), TypeError, /^DataLoader.setEpoch: epoch must be an integer >= 0, got "1" \(a string\)$/],
    ["TensorDataset featureShape 2", () => new TensorDataset(new Float32Array(4), new Int32Array(2), u(2)), RangeError, /^TensorDataset: featureShape must be an array of positive integers, got 2$/],
    ["TensorDataset.get(5)", () => dataset().get(5), RangeError, /^TensorDataset.get: index 5 is out of range for a dataset of 2 samples$/],
    ["subset with index 7", () => data.subset(dataset(), [0, 7]), RangeError, /^subset: indices\[1\] = 7 is out of range for a dataset of 2 samples \(must be an integer in \[0, 1\]\)$/],
    ["featureMeanStd of a number", () => data.featureMeanStd(u(3)), TypeError, /^featureMeanStd: dataset must be a TensorDataset, got 3$/],
    ['standardize with mean "0"', () => data.standardize(dataset(), u("0"), 1), RangeError, /^standardize: mean must be a finite number, got "0" \(a string\)$/],
    ["standardize with std 0", () => data.standardize(dataset(), 0, 0), RangeError, /^standardize: std must be a finite number > 0, got 0$/],
    ['shuffledIndices("3")', () => data.shuffledIndices(u("3")), RangeError, /^shuffledIndices: invalid n "3" \(a string\) \(must be an integer >= 0\)$/],
  ],
  "io (arguments)": [
    ["save to path 3", () => save(u(3), {}), TypeError, /^save: path must be a non-empty string, got 3 \(a number\)$/],
    ["save of null", () => save(join(dir, "a.safetensors"), u(null)), Error, /^save ".*a.safetensors": expected an object of name → Tensor, got null; the file was not written$/],
    ["save with a number in the metadata", () => save(join(dir, "a.safetensors"), {}, u({ epoch: 1 })), Error, /^save ".*": metadata "epoch" must be a string, got number \(safetensors metadata holds strings only\); the file was not written$/],
    ["save into a missing directory", () => save(join(dir, "no", "such", "a.safetensors"), {}), Error, /^save ".*no\/such\/a.safetensors": ENOENT: no such file or directory, open .*; any previous file there is unchanged$/],
    ["load of path 3", () => load(u(3)), TypeError, /^load: path must be a non-empty string, got 3 \(a number\)$/],
    ['loadWithMetadata("")', () => loadWithMetadata(""), TypeError, /^load: path must be a non-empty string, got "" \(a string\)$/],
    ["serialize of null", () => serialize(u(null)), TypeError, /^serialize: expected an object of name → Tensor, got null$/],
    ['saveCheckpoint to ""', () => saveCheckpoint("", {}), TypeError, /^saveCheckpoint: path must be a non-empty string, got "" \(a string\)$/],
    ['saveCheckpoint of "x"', () => saveCheckpoint(join(dir, "c.safetensors"), u("x")), TypeError, /^saveCheckpoint ".*": expected \{ model, optimizer, scheduler, epoch, step, rng, extra \}, got "x" \(a string\)$/],
    ["saveCheckpoint with a misspelt entry", () => saveCheckpoint(join(dir, "c.safetensors"), u({ modle: linear() })), TypeError, /^saveCheckpoint ".*": unknown entry "modle" \(valid: model, optimizer, scheduler, epoch, step, rng, extra\)$/],
    ["loadCheckpoint of path 3", () => loadCheckpoint(u(3)), TypeError, /^loadCheckpoint: path must be a non-empty string, got 3$/],
    ["loadCheckpoint with a misspelt target", () => loadCheckpoint(join(dir, "c.safetensors"), u({ modle: linear() })), TypeError, /^loadCheckpoint ".*": unknown target "modle" \(valid: model, optimizer, scheduler, rng; epoch, step and extra are returned\)$/],
  ],
  "report (arguments)": [
    ["formatTable of columns 3", () => formatTable(u(3), []), TypeError, /^formatTable: columns must be an array such as \[\{ header: "optimizer" \}\], got 3 \(a number\)$/],
    ["formatTable of a column without a header", () => formatTable(u([{ title: "a" }]), []), TypeError, /^formatTable: columns\[0\] must be \{ header: string, align\?, format\? \}, got Object$/],
    ["formatTable of rows 3", () => formatTable(columns, u(3)), TypeError, /^formatTable: rows must be an array such as \[\["adam", 0.07\]\], got 3 \(a number\)$/],
    ['formatTable of a row "adam"', () => formatTable(columns, u(["adam"])), TypeError, /^formatTable: rows\[0\] must be an array such as \["adam", 0.07\], got "adam" \(a string\)$/],
    ["formatTable of a row too long", () => formatTable(columns, [[1, 2, 3]]), Error, /^formatTable: row 0 has 3 cells but there are 2 columns$/],
    ['formatTable with style "html"', () => formatTable(columns, [], { style: u("html") }), RangeError, /^formatTable: style must be "box" or "markdown", got "html" \(a string\)$/],
    ['formatPercent("x")', () => formatPercent(u("x")), TypeError, /^formatPercent: x must be a number, got "x" \(a string\)$/],
    ["formatFixed with -1 digits", () => formatFixed(1, -1), RangeError, /^formatFixed: digits must be an integer >= 0, got -1$/],
    ['formatExp("1e-3")', () => formatExp(u("1e-3")), TypeError, /^formatExp: x must be a number, got "1e-3" \(a string\)$/],
    ["formatNumber with 0 significant digits", () => formatNumber(1, 0), RangeError, /^formatNumber: significant must be an integer >= 1, got 0$/],
    ["formatSeconds(null)", () => formatSeconds(u(null)), TypeError, /^formatSeconds: s must be a number, got null$/],
    ['formatInteger("1")', () => formatInteger(u("1")), TypeError, /^formatInteger: x must be a number, got "1" \(a string\)$/],
    ["asciiLineChart of 3", () => asciiLineChart(u(3)), TypeError, /^asciiLineChart: series must be an array such as \[\{ name: "adam", values: \[2.3, 1.1\] \}\], got 3 \(a number\)$/],
    ["asciiLineChart of values as a string", () => asciiLineChart([{ name: "a", values: u("abc") }]), TypeError, /^asciiLineChart: series\[0\].values must be an array of numbers, got "abc" \(a string\)$/],
    ["asciiLineChart of a series without a name", () => asciiLineChart([u({ values: [1] })]), TypeError, /^asciiLineChart: series\[0\].name must be a string, got undefined$/],
    ["lineChartSpec of 3", () => lineChartSpec(u(3)), TypeError, /^lineChartSpec: options must be an object such as \{ title, series: \[\{ name, points: \[\{ x, y \}\] \}\] \}, got 3 \(a number\)$/],
    ["lineChartSpec of points as a string", () => lineChartSpec(u({ series: [{ name: "a", points: "1,2" }] })), TypeError, /^lineChartSpec: series\[0\].points must be an array such as \[\{ x: 1, y: 2.3 \}\], got "1,2" \(a string\)$/],
    ["emaSmooth with weight 1", () => emaSmooth([1], 1), RangeError, /^emaSmooth: invalid smoothing weight 1 \(must be in \[0, 1\)\)$/],
    ["emaSmooth of 3", () => emaSmooth(u(3), 0.5), TypeError, /^emaSmooth: values must be an array such as \[2.3, 1.1, 0.7\], got 3 \(a number\)$/],
    ["RunRecorder in dir 3", () => new RunRecorder(u(3)), TypeError, /^RunRecorder: dir must be a string, got 3 \(a number\)$/],
    ["RunRecorder.log to series 3", () => run().log(u(3), {}), TypeError, /^RunRecorder.log: series must be a string, got 3 \(a number\)$/],
    ["RunRecorder.log of null", () => run().log("adam/train", u(null)), TypeError, /^RunRecorder.log: record must be an object such as \{ step: 1, loss: 2.3 \}, got null$/],
    ["RunRecorder.summary of 0.9", () => run().summary("adam", u(0.9)), TypeError, /^RunRecorder.summary: record must be an object such as \{ testAccuracy: 0.98 \}, got 0.9 \(a number\)$/],
    ["createRunDir in 3", () => createRunDir(u(3)), TypeError, /^createRunDir: baseDir must be a string, got 3 \(a number\)$/],
    ["createRunDir with an invalid date", () => createRunDir(dir, "x", new Date(NaN)), TypeError, /^createRunDir: now must be a valid Date, got Date$/],
    ["TrainingProgress with epochs -1", () => new TrainingProgress({ quiet: true, epochs: -1 }), RangeError, /^TrainingProgress: epochs must be an integer >= 1, got -1$/],
    ["TrainingProgress.bar of -1 steps", () => new TrainingProgress({ quiet: true }).bar("adam", -1), RangeError, /^TrainingProgress.bar: totalSteps must be an integer >= 0, got -1$/],
    ["TrainingProgress.bar named 3", () => new TrainingProgress({ quiet: true }).bar(u(3), 10), TypeError, /^TrainingProgress.bar: name must be a string, got 3 \(a number\)$/],
    ["parseMetrics of another JSON file", () => parseMetrics('{"a": 1}'), Error, /^parseMetrics: not an ndgrad metrics file \(its "format" is undefined, expected "ndgrad-metrics\/1"\)$/],
    ["readMetrics of a missing file", () => readMetrics(join(dir, "missing.json")), Error, /^readMetrics ".*missing.json": ENOENT: no such file or directory/],
    ["writeFileAtomic into a missing directory", () => writeFileAtomic(join(dir, "no", "x.json"), "{}"), Error, /^writeFileAtomic ".*no\/x.json": ENOENT: no such file or directory/],
    ["formatMetricsCsv of 3", () => formatMetricsCsv(u(3)), TypeError, /^formatMetricsCsv: series must be an object such as \{ "adam\/train": \[\{ step: 1, loss: 2.3 \}\] \}, got 3 \(a number\)$/],
    ["DivergenceCheck with factor 1", () => new DivergenceCheck({ factor: 1 }), RangeError, /^DivergenceCheck: invalid factor 1 \(must be a finite number > 1\)$/],
  ],
  // One check (checkOptions) for every options object: a misspelt key is an error naming the op and the valid keys, never ignored.
  "options objects": [
    ["conv2d with strides", () => F.conv2d(ones([1, 1, 3, 3]), ones([1, 1, 1, 1]), null, u({ strides: 2 })), TypeError, /^conv2d: unknown option "strides" \(valid: stride, padding, dilation, groups\)$/],
    ["conv2d with options 2", () => F.conv2d(ones([1, 1, 3, 3]), ones([1, 1, 1, 1]), null, u(2)), TypeError, /^conv2d: options must be an object \{ stride, padding, dilation, groups \}, got 2 \(a number\)$/],
    ["conv2d with options [2]", () => F.conv2d(ones([1, 1, 3, 3]), ones([1, 1, 1, 1]), null, u([2])), TypeError, /^conv2d: options must be an object \{ stride, padding, dilation, groups \}, got \[2\] \(an array\)$/],
    ["maxPool2d with strides", () => F.maxPool2d(ones([1, 1, 2, 2]), 2, u({ strides: 1 })), TypeError, /^maxPool2d: unknown option "strides" \(valid: stride, padding\)$/],
    ["maxPool2d with options null", () => F.maxPool2d(ones([1, 1, 2, 2]), 2, u(null)), TypeError, /^maxPool2d: options must be an object \{ stride, padding \}, got null$/],
    ["avgPool2d with count_include_pad", () => F.avgPool2d(ones([1, 1, 2, 2]), 2, u({ count_include_pad: false })), TypeError, /^avgPool2d: unknown option "count_include_pad" \(valid: stride, padding\)$/],
    ["batchNorm with train", () => F.batchNorm(ones([2, 3]), null, null, null, null, u({ train: true })), TypeError, /^batchNorm: unknown option "train" \(valid: training, momentum, eps\)$/],
    ["batchNorm with options a Tensor", () => F.batchNorm(ones([2, 3]), null, null, null, null, u(ones([1]))), TypeError, /^batchNorm: options must be an object \{ training, momentum, eps \}, got Tensor$/],
    ["layerNorm with epsilon", () => F.layerNorm(ones([2, 3]), 3, null, null, u({ epsilon: 1e-5 })), TypeError, /^layerNorm: unknown option "epsilon" \(valid: eps\)$/],
    ["layerNorm with eps 0", () => F.layerNorm(ones([2, 3]), 3, null, null, { eps: 0 }), RangeError, /^layerNorm: eps must be a finite number > 0, got 0$/],
    ["Conv2d with strides", () => new nn.Conv2d(1, 1, 3, u({ strides: 2 })), TypeError, /^Conv2d: unknown option "strides" \(valid: stride, padding, dilation, groups, bias, dtype, generator\)$/],
    ["MaxPool2d with strides", () => new nn.MaxPool2d(2, u({ strides: 2 })), TypeError, /^MaxPool2d: unknown option "strides" \(valid: stride, padding\)$/],
    ["AvgPool2d with ceil_mode", () => new nn.AvgPool2d(2, u({ ceil_mode: true })), TypeError, /^AvgPool2d: unknown option "ceil_mode" \(valid: stride, padding\)$/],
    ["BatchNorm1d with track_running_stats", () => new nn.BatchNorm1d(3, u({ track_running_stats: false })), TypeError, /^BatchNorm1d: unknown option "track_running_stats" \(valid: eps, momentum, affine, trackRunningStats, dtype\)$/],
    ["BatchNorm2d with epsilon", () => new nn.BatchNorm2d(3, u({ epsilon: 1e-3 })), TypeError, /^BatchNorm2d: unknown option "epsilon" \(valid: eps, momentum, affine, trackRunningStats, dtype\)$/],
    ["BatchNorm2d with eps 0", () => new nn.BatchNorm2d(3, { eps: 0 }), RangeError, /^BatchNorm2d: eps must be a finite number > 0, got 0$/],
    ['BatchNorm1d with eps "1e-5"', () => new nn.BatchNorm1d(3, { eps: u("1e-5") }), RangeError, /^BatchNorm1d: eps must be a finite number > 0, got "1e-5" \(a string\)$/],
    ["LayerNorm with elementwise_affine", () => new nn.LayerNorm(3, u({ elementwise_affine: false })), TypeError, /^LayerNorm: unknown option "elementwise_affine" \(valid: eps, elementwiseAffine, dtype\)$/],
    ["LayerNorm with eps 0", () => new nn.LayerNorm(3, { eps: 0 }), RangeError, /^LayerNorm: eps must be a finite number > 0, got 0$/],
    ["LayerNorm with eps NaN", () => new nn.LayerNorm(3, { eps: NaN }), RangeError, /^LayerNorm: eps must be a finite number > 0, got NaN$/],
    ["LayerNorm with eps -1", () => new nn.LayerNorm(3, { eps: -1 }), RangeError, /^LayerNorm: eps must be a finite number > 0, got -1$/],
    ["Linear with biases", () => new nn.Linear(2, 3, u({ biases: false })), TypeError, /^Linear: unknown option "biases" \(valid: bias, dtype, generator\)$/],
    ["CrossEntropyLoss with label_smoothing", () => new nn.CrossEntropyLoss(u({ label_smoothing: 0.1 })), TypeError, /^CrossEntropyLoss: unknown option "label_smoothing" \(valid: reduction, weight, labelSmoothing\)$/],
    ["NLLLoss with labelSmoothing", () => new nn.NLLLoss(u({ labelSmoothing: 0.1 })), TypeError, /^NLLLoss: unknown option "labelSmoothing" \(valid: reduction, weight\)$/],
    ["MSELoss with reduce", () => new nn.MSELoss(u({ reduce: false })), TypeError, /^MSELoss: unknown option "reduce" \(valid: reduction\)$/],
    ["DataLoader with shuffel", () => new DataLoader(dataset(), u({ batchSize: 1, shuffel: true })), TypeError, /^DataLoader: unknown option "shuffel" \(valid: batchSize, shuffle, seed, dropLast, copy\)$/],
    ["DataLoader with options [1]", () => new DataLoader(dataset(), u([1])), TypeError, /^DataLoader: options must be an object with at least \{ batchSize \}, got \[1\] \(an array\)$/],
    ["a parameter group with nesterow", () => new optim.SGD([{ params: [leaf()], nesterow: true } as never], { lr: 0.1 }), TypeError, /^SGD: parameter group 0: unknown option "nesterow" \(valid: lr, momentum, dampening, nesterov, weightDecay, maximize, initialLr\)$/],
    ["StepLR with step_size", () => new optim.lrScheduler.StepLR(sgd(), u({ step_size: 2 })), TypeError, /^StepLR: unknown option "step_size" \(valid: stepSize, gamma\)$/],
    ["StepLR with options 2", () => new optim.lrScheduler.StepLR(sgd(), u(2)), TypeError, /^StepLR: options must be an object \{ stepSize, gamma \}, got 2 \(a number\)$/],
    ["backward with retain_graph", () => ones([1], { requiresGrad: true }).sum().backward(undefined, u({ retain_graph: true })), TypeError, /^backward: unknown option "retain_graph" \(valid: retainGraph\)$/],
    ["loadStateDict with strict as a string", () => linear().loadStateDict(linear().stateDict(), u("strict")), TypeError, /^Linear.loadStateDict: options must be an object \{ strict \}, got "strict" \(a string\)$/],
    ["kaimingUniform with fan_mode", () => nn.init.kaimingUniform(ones([2, 2]), u({ fan_mode: "fanIn" })), TypeError, /^kaimingUniform: unknown option "fan_mode" \(valid: a, mode, nonlinearity, generator\)$/],
    ["xavierNormal with seed", () => nn.init.xavierNormal(ones([2, 2]), u({ seed: 1 })), TypeError, /^init.xavierNormal: unknown option "seed" \(valid: gain, generator\)$/],
    ["gradcheck with tolerance", () => gradcheck((x) => x.sum(), [ones([1], { dtype: "float64", requiresGrad: true })], u({ tolerance: 1 })), TypeError, /^gradcheck: unknown option "tolerance" \(valid: eps, atol, rtol\)$/],
    ["toDot with name", () => toDot(ones([1]), u({ name: "g" })), TypeError, /^toDot: unknown option "name" \(valid: title\)$/],
    ["TrainingDiagnostics with group_by", () => new TrainingDiagnostics(linear().namedParameters(), u({ group_by: "layer" })), TypeError, /^TrainingDiagnostics: unknown option "group_by" \(valid: groupBy\)$/],
    ["formatTable with align", () => formatTable(columns, [], u({ align: "left" })), TypeError, /^formatTable: unknown option "align" \(valid: style, title\)$/],
    ["asciiLineChart with logY", () => asciiLineChart([{ name: "a", values: [1] }], u({ logY: true })), TypeError, /^asciiLineChart: unknown option "logY" \(valid: height, width, logScale, title, xTitle, xRange, color\)$/],
    ["lineChartSpec with logScale", () => lineChartSpec(u({ title: "t", xTitle: "x", yTitle: "y", series: [], logScale: true })), TypeError, /^lineChartSpec: unknown option "logScale" \(valid: title, subtitle, xTitle, yTitle, series, logY, smoothing, showRaw, yFormat, yDomain, legendTitle, points, maxPoints, width, height\)$/],
    ["TrainingProgress with silent", () => new TrainingProgress(u({ silent: true })), TypeError, /^TrainingProgress: unknown option "silent" \(valid: quiet, stream, tty, color, epochs, nameWidth\)$/],
    ["TrainingProgress.bar with total", () => new TrainingProgress({ quiet: true }).bar("adam", 1, u({ total: 1 })), TypeError, /^TrainingProgress.bar: unknown option "total" \(valid: epochs\)$/],
    ["RunRecorder with seeds", () => new RunRecorder(join(dir, "run-options"), {}, u({ seeds: 1 })), TypeError, /^RunRecorder: unknown option "seeds" \(valid: seed, versions\)$/],
    ["DivergenceCheck with threshold", () => new DivergenceCheck(u({ threshold: 10 })), TypeError, /^DivergenceCheck: unknown option "threshold" \(valid: factor, patience\)$/],
  ],
  "utils and backends": [
    ["toDot of 3", () => toDot(u(3)), TypeError, /^toDot: root must be a Tensor \(e.g. a loss\), got 3 \(a number\)$/],
    ['detectAnomaly("yes")', () => detectAnomaly(u("yes")), TypeError, /^detectAnomaly: on must be true or false, got "yes" \(a string\)$/],
    ["TrainingDiagnostics of 3", () => new TrainingDiagnostics(u(3)), TypeError, /^TrainingDiagnostics: parameters must be an iterable of \[name, Tensor\] pairs such as model.namedParameters\(\), got 3 \(number\)$/],
    ['setBackend("gpu")', () => setBackend(u("gpu")), TypeError, /^setBackend: unknown backend "gpu" \(valid: "blas", "wasm", "js"\)$/],
    ["setNumThreads(0)", () => setNumThreads(0), RangeError, /^setNumThreads: invalid thread count 0 \(valid: an integer from 1 to \d+\)$/],
    ['setNumThreads("2")', () => setNumThreads("2" as unknown as number), RangeError, /^setNumThreads: invalid thread count "2" \(a string\) \(valid: an integer from 1 to \d+\)$/],
    ["loadMnist of an unknown source", () => loadMnist({ source: "mnsit" }), Error, /^loadMnist: unknown source "mnsit": expected "mnist", "mnist-subset", "fashion-mnist" or a directory of IDX files/],
  ],
};

describe.each(Object.entries(publicArguments))("public arguments: %s", (_area, cases) => {
  it.each(cases)("%s", (_what, call, kind, message) => expectThrows(call, kind, message));
});

it("trajectoryChartSvg rejects an unknown option before drawing", async () => {
  const field = { values: [0], cols: 1, rows: 1, x: [0, 1] as [number, number], y: [0, 1] as [number, number], levels: [0] };
  await expect(trajectoryChartSvg(field, [], u({ title: "t", colours: ["red"] }))).rejects.toThrow(/^trajectoryChart: unknown option "colours" \(valid: title, subtitle, start, minimum, size, colors, minPixelStep\)$/);
});
