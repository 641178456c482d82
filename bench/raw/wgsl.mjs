// Hand-written WGSL kernels: the device's practical ceiling for the benchmark.
//
// matmul: each invocation owns ROWS rows x COLS vec4 columns of C. Lavapipe (llvmpipe) runs a
// workgroup's invocations as the lanes of 256-bit SIMD registers, so the layout is chosen for
// that: lanes run along columns, making B loads contiguous across lanes, while A loads are the
// same address for every lane (a broadcast). No workgroup memory: barriers are expensive on
// llvmpipe and its "shared" memory is ordinary cached memory anyway. Tried on 2 cores: vec4
// columns beat scalar ones (about 7 vs 4.5 GFLOP/s at N=1024), workgroup memory tiling reached
// 2.2, lanes along rows 1.7.

export const MATMUL = { ROWS: 4, COLS: 4, WG: 8 };

/** The register blocks the raw peer tries per size on lavapipe, keeping the faster (4x4 and 8x2
 *  trade places with N and with load on 2 cores; 4x2, 6x2 and 8x4 were slower). */
export const MATMUL_CANDIDATES = [MATMUL, { ROWS: 8, COLS: 2, WG: 8 }];

/** C = A @ B for square row-major N x N matrices; N must be a multiple of matmulMultiple(). */
export function matmulWgsl({ ROWS, COLS, WG } = MATMUL) {
  const acc = [];
  const body = [];
  const store = [];
  for (let i = 0; i < ROWS; i++) {
    body.push(`    let a${i} = A[(row0 + ${i}u) * N + k];`);
    for (let j = 0; j < COLS; j++) {
      acc.push(`  var c${i}_${j} = vec4<f32>(0.0);`);
      body.push(`    c${i}_${j} = fma(vec4<f32>(a${i}), b${j}, c${i}_${j});`);
      store.push(`  C[(row0 + ${i}u) * n4 + col0 + ${j * WG}u] = c${i}_${j};`);
    }
  }
  const loadsB = [];
  for (let j = 0; j < COLS; j++) loadsB.push(`    let b${j} = B[k * n4 + col0 + ${j * WG}u];`);
  return `
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
override N: u32;

@compute @workgroup_size(${WG}, 1)
fn main(@builtin(workgroup_id) w: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let n4 = N / 4u;
  let col0 = w.x * ${WG * COLS}u + l.x;  // in vec4 units; this lane's columns are col0 + j*WG
  let row0 = w.y * ${ROWS}u;
${acc.join("\n")}
  for (var k = 0u; k < N; k++) {
${loadsB.join("\n")}
${body.join("\n")}
  }
${store.join("\n")}
}
`;
}

/**
 * The classic GPU matmul for real GPUs: a 16x16 workgroup computes a 64x64 tile of C, each
 * invocation 4 rows x one vec4 of columns, staging K-slices of A and B in workgroup memory.
 * On lavapipe it reached only 2.2 GFLOP/s (barriers are costly there), so the raw peer uses it
 * only on a hardware adapter. N must be a multiple of 64.
 */
export function matmulTiledWgsl(KT = 16) {
  return `
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
override N: u32;
var<workgroup> As: array<array<f32, 64>, ${KT}>;        // As[k][row]
var<workgroup> Bs: array<array<vec4<f32>, 16>, ${KT}>;  // Bs[k][col4]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let n4 = N / 4u;
  let rowBase = wg.y * 64u;
  let col4Base = wg.x * 16u;
  let tid = l.y * 16u + l.x;
  var acc: array<vec4<f32>, 4>;
  for (var kt = 0u; kt < N; kt += ${KT}u) {
    for (var i = tid; i < 64u * ${KT}u; i += 256u) {
      let r = i / ${KT}u;
      let k = i % ${KT}u;
      As[k][r] = A[(rowBase + r) * N + kt + k];
    }
    for (var i = tid; i < 16u * ${KT}u; i += 256u) {
      let k = i / 16u;
      let c = i % 16u;
      Bs[k][c] = B[(kt + k) * n4 + col4Base + c];
    }
    workgroupBarrier();
    for (var k = 0u; k < ${KT}u; k++) {
      let b = Bs[k][l.x];
      acc[0] += As[k][l.y * 4u + 0u] * b;
      acc[1] += As[k][l.y * 4u + 1u] * b;
      acc[2] += As[k][l.y * 4u + 2u] * b;
      acc[3] += As[k][l.y * 4u + 3u] * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    C[(rowBase + l.y * 4u + i) * n4 + col4Base + l.x] = acc[i];
  }
}
`;
}

export function matmulMultiple({ ROWS, COLS, WG } = MATMUL) {
  return Math.max(ROWS, 4 * COLS * WG);
}

export function matmulWorkgroups(n, { ROWS, COLS, WG } = MATMUL) {
  return [n / 4 / WG / COLS, n / ROWS];
}

/**
 * C = A + B over vec4s; the element count must be a multiple of 4. A fixed grid of
 * ADD_WORKGROUPS x 64 invocations strides over the arrays: on lavapipe one workgroup per 64
 * vec4s (65,536 workgroups at 16M floats) measured 0.8-1 GB/s, 256 striding workgroups 2.5-6.
 */
export const ADD_WORKGROUPS = 256;
export const ADD_WGSL = `
@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let stride = nw.x * 64u;
  for (var i = g.x; i < arrayLength(&C); i += stride) { C[i] = A[i] + B[i]; }
}
`;

/** Y = X + S for a scalar S baked in as an override constant. */
export const ADD_SCALAR_WGSL = `
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
override S: f32;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x < arrayLength(&Y)) { Y[g.x] = X[g.x] + S; }
}
`;
