// The nn namespace: modules, layers and losses.

export { Module, parameter, buffer } from "./module";
export type { ForwardHook, ForwardPreHook } from "./hooks";
export {
  Linear, Sequential, ReLU, GELU, Sigmoid, Tanh, LeakyReLU, SiLU, Softmax, LogSoftmax, Flatten, Unflatten, Identity, Dropout, LayerNorm, Embedding,
} from "./layers";
export { Conv2d, conv2d } from "./conv";
export { ConvTranspose2d, convTranspose2d, Conv1d } from "./conv-more";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from "./pooling";
export { BatchNorm1d, BatchNorm2d } from "./batchnorm";
export type { BatchNormOptions } from "./batchnorm";
export { clipGradNorm } from "./clip";
export { oneHot } from "./onehot";
export { functionalCall } from "./functional-call";
export { summary, ModelSummary } from "./summary";
export type { SummaryRow } from "./summary";
export { MultiheadAttention, scaledDotProductAttention } from "./attention";
export type { AttentionOptions, MultiheadAttentionOptions, MultiheadForwardOptions } from "./attention";
export { TransformerEncoderLayer, TransformerEncoder } from "./transformer";
export { RNN, LSTM, GRU } from "./recurrent";
export type { RecurrentOptions } from "./recurrent";
export type { TransformerEncoderLayerOptions, EncoderForwardOptions } from "./transformer";
export type { ClipOptions } from "./clip";
export { mseLoss, crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits } from "./losses";
export * as init from "./init";
