export { Optimizer } from "./optimizer";
export { SGD, Adam, AdamW } from "./sgd";
export { StepLR, CosineAnnealingLR } from "./schedules";
