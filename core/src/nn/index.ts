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
export { mseLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits } from "./losses";
export type { BCEOptions, BCEWithLogitsOptions } from "./losses";
export { crossEntropy, nllLoss } from "./cross-entropy";
export type { CrossEntropyOptions, NllLossOptions } from "./cross-entropy";
export { l1Loss, smoothL1Loss, huberLoss, klDiv, poissonNllLoss, gaussianNllLoss } from "./regression-losses";
export type { SmoothL1Options, HuberOptions, KlDivOptions, PoissonNllOptions, GaussianNllOptions } from "./regression-losses";
export { cosineSimilarity, pairwiseDistance, cosineEmbeddingLoss, marginRankingLoss } from "./distance";
export type { MarginOptions } from "./distance";
export type { Reduction, ReductionOption } from "./loss-options";
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss } from "./loss-modules";
export * as init from "./init";
export {
  elu, softplus, mish, hardtanh, relu6, hardswish, hardsigmoid, softsign, tanhshrink, prelu, glu,
  ELU, Softplus, Mish, Hardtanh, ReLU6, Hardswish, Hardsigmoid, Softsign, Tanhshrink, GLU, PReLU,
} from "./activations";
export { GroupNorm, InstanceNorm2d } from "./groupnorm";
export type { GroupNormOptions, InstanceNormOptions } from "./groupnorm";
export { interpolate, Upsample } from "./interpolate";
export type { InterpolateOptions, InterpolateMode } from "./interpolate";
export { Dropout2d } from "./dropout2d";
export { PixelShuffle, pixelShuffle } from "./pixel-shuffle";
