// Bad input at every public entry point: one row per case, each a clear error naming the function and the value, or PyTorch's result.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { arange, DataLoader, full, Generator, gradcheck, indexSelect, manualSeed, nn, ones, optim, permute, rand, randn, squeeze, Tensor, tensor, TensorDataset, to, unsqueeze, zeros } from "../src/index.ts";
import { deserialize, load, loadCheckpoint, saveCheckpoint, serialize } from "../src/io/index.ts";
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
    ["a string as data", () => tensor(u("abc")), TypeError, /tensor: expected a number, nested arrays of numbers or a typed array, got string/],
    ["null as data", () => tensor(u(null)), TypeError, /tensor: expected .* got null/],
    ["an object as data", () => tensor(u({ a: 1 })), TypeError, /tensor: expected .* got Object/],
    ["a ragged nested array", () => tensor(u([[1, 2], [3]])), TypeError, /tensor: ragged nested array: values\[1\] has length 1, expected 2/],
    ["a string inside the data", () => tensor(u([1, "a"])), TypeError, /tensor: values\[1\] is a string where a number was expected/],
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
    ["full with a string value", () => full([2], u("x")), TypeError, /full: the fill value must be a number, got "x"/],
    ["full with a number as shape", () => full(u(3), 1), TypeError, /full: shape must be an array of sizes such as \[2, 3\], got 3/],
    ["rand(-3)", () => rand(-3), RangeError, /rand: invalid shape \[-3\]/],
    ["randn(1.5)", () => randn(1.5), RangeError, /randn: invalid shape \[1.5\]/],
    ["arange with step 0", () => arange(0, 10, 0), RangeError, /arange: .* step nonzero/],
    ["arange to NaN", () => arange(NaN), RangeError, /arange: .* must be finite/],
    ["arange with a step away from the end", () => arange(0, 10, -1), RangeError, /arange: upper bound and larger bound inconsistent with step sign/],
  ],
  "tensor ops": [
    ["add of shapes that do not broadcast", () => ones([2, 3]).add(ones([4])), RangeError, /add: shapes \[2, 3\] and \[4\] cannot be broadcast together/],
    ["add of a string", () => ones([2]).add(u("1")), TypeError, /add: second operand must be a Tensor, got string/],
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
    ["an unknown option", () => new optim.Adam([leaf()], u({ learningRate: 0.1 })), TypeError, /Adam: unknown option "learningRate" in options \(valid: lr, betas/],
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
    ["DataLoader without options", () => new DataLoader(dataset(), u(undefined)), TypeError, /DataLoader: options must be an object with at least \{ batchSize \}/],
    ["DataLoader of an array", () => new DataLoader(u([1, 2]), { batchSize: 1 }), TypeError, /DataLoader: dataset must be a Dataset/],
    ["DataLoader shuffle 'yes'", () => new DataLoader(dataset(), { batchSize: 1, shuffle: u("yes") }), TypeError, /DataLoader: shuffle must be true or false/],
    ["DataLoader.setEpoch(-1)", () => new DataLoader(dataset(), { batchSize: 1 }).setEpoch(-1), RangeError, /DataLoader.setEpoch: invalid epoch -1/],
    ["TensorDataset of features and labels that differ in count", () => new TensorDataset(new Float32Array(6), new Int32Array(2), [2]), RangeError, /TensorDataset: 2 labels need 4 feature values/],
    ["TensorDataset featureShape [-2]", () => new TensorDataset(new Float32Array(4), new Int32Array(2), [-2]), RangeError, /TensorDataset: featureShape must be an array of positive integers, got \[-2\]/],
    ["TensorDataset of a plain array", () => new TensorDataset(u([1, 2]), new Int32Array(1), [2]), TypeError, /TensorDataset: features must be a Float32Array, got Array/],
    ["TensorDataset of float labels", () => new TensorDataset(new Float32Array(4), u(new Float32Array([0.5, 1])), [2]), TypeError, /TensorDataset: labels must be an Int32Array, got Float32Array/],
    ["loadMnist trainLimit -1", () => loadMnist({ source: "mnist-subset", trainLimit: -1 }), RangeError, /loadMnist: invalid trainLimit -1/],
    ["loadMnist trainLimit 1.5", () => loadMnist({ source: "mnist-subset", trainLimit: 1.5 }), RangeError, /loadMnist: invalid trainLimit 1.5/],
    ["manualSeed(NaN)", () => manualSeed(NaN), RangeError, /manualSeed: seed must be a finite number, got NaN/],
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

describe.each(Object.entries(errors))("%s", (_area, cases) => {
  it.each(cases)("%s", (_what, call, kind, message) => {
    let thrown: unknown = null;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    expect(thrown, "expected an error").toBeInstanceOf(kind);
    expect((thrown as Error).message).toMatch(message);
  });
});

describe("results PyTorch defines", () => {
  it.each(results)("%s", (_what, call, expected) => {
    expect(call()).toEqual(expected);
  });
});

it("lists at least 60 cases", () => {
  expect(Object.values(errors).flat().length + results.length).toBeGreaterThanOrEqual(60);
});
