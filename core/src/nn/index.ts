// The nn namespace: modules, layers and losses.

export { Module, parameter } from "./module";
export { Linear, Sequential, ReLU, GELU, Sigmoid, Tanh, Flatten, Dropout, LayerNorm, Embedding } from "./layers";
export { Conv2d, MaxPool2d, conv2d } from "./conv";
export { mseLoss, crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits } from "./losses";
