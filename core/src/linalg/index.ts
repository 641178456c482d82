// linalg: linear algebra on batches of matrices [..., m, n], as torch.linalg / jnp.linalg.
// Every function is composed from tensor ops (nothing is read back to the host), so each
// works on every backend and under jit and vmap, and the float-valued ones have gradients.
// For the same reason a singular (or not positive-definite) matrix gives inf/NaN, as in JAX,
// rather than an error: only shape and argument errors are raised, before any work.

export { solve, inv } from "./solve";
export { det, slogdet } from "./det";
export { solveTriangular } from "./triangular";
export type { SolveTriangularOptions } from "./triangular";
export { cholesky } from "./cholesky";
export { qr } from "./qr";
export { lstsq } from "./lstsq";
export type { LstsqResult } from "./lstsq";
export { eigh, eigvalsh } from "./eigh";
export { svd, svdvals } from "./svd";
export type { SvdOptions } from "./svd";
export { pinv, matrixRank, cond } from "./pinv";
export type { RankTolerance } from "./pinv";
export { vectorNorm, matrixNorm, norm } from "./norms";
export type { NormOptions, MatrixOrd } from "./norms";
