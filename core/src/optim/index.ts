export { Optimizer } from "./optimizer";
export { SGD, Adam, AdamW } from "./sgd";
export { RMSprop } from "./rmsprop";
export type { RMSpropOptions } from "./rmsprop";
export { Adagrad } from "./adagrad";
export type { AdagradOptions } from "./adagrad";
export { StepLR, CosineAnnealingLR } from "./schedules";
