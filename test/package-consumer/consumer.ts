// A TypeScript consumer (strict, NodeNext): tensors, nn, optim.create and their types from the installed package.
import { tensor, randn, nn, optim, noGrad, type Tensor } from "ndgrad";

const model: nn.Module = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
const opt: optim.Optimizer = optim.create("adam", model.parameters(), { lr: 1e-3 });
const adam = new optim.Adam(model.parameters(), { lr: 3e-4, betas: [0.9, 0.999] });
const x: Tensor = randn([8, 4]);
const labels: number[] = [0, 1, 2, 0, 1, 2, 0, 1];

opt.zeroGrad();
const loss: Tensor = nn.functional.crossEntropy(model.forward(x), labels);
loss.backward();
opt.step();
adam.paramGroups[0].lr = 1e-4;

const grad: Tensor | null = model.parameters()[0].grad;
const shape: readonly number[] = tensor([[1, 2], [3, 4]]).matmul(tensor([[1], [1]])).shape;
const value: number = loss.item();
noGrad(() => model.forward(x));
const weights: Record<string, Tensor> = model.stateDict();

// The declarations are real types, not `any`: this line must be an error.
// @ts-expect-error a Tensor is not a number
const wrong: number = x;

export { grad, shape, value, weights, wrong };
