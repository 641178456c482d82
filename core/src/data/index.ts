export { DataLoader, permutation } from "./loader";
export type { LoaderOptions } from "./loader";
export { mnist } from "./mnist";
export type { MnistSplit } from "./mnist";
export { iris } from "./iris";
export type { IrisSplit } from "./iris";
