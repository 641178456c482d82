// WGSL helpers for log1p, expm1, tan, the inverse trigonometric and the hyperbolic functions.
//
// WGSL's builtins are not accurate enough to agree with the CPU reference (JS Math in double
// precision, rounded to float32). The spec allows atan 4096 ULP and defines sinh, asinh and
// atanh by their exp/log formulas, which cancel near 0; measured on lavapipe (Mesa 25), atan
// is off by 2e-5 relative everywhere, asin and acos by 4e-4, sinh, asinh and atanh by 20% at
// 1e-7, and log by 6e-5 relative near 1 (so Kahan's log1p = x log(u) / (u - 1) inherits it).
// These versions use only +, *, /, sqrt, exp and log away from 1, and simulated float32
// evaluation stays within 3e-7 relative error of the double-precision functions:
// - log1p: 2 atanh(s) = 2 (s + s^3/3 + ...), s = x / (2 + x), for |x| < 1/2 (|s| < 1/3, nine
//   terms); log(1 + x) beyond, where 1 + x loses nothing that matters.
// - expm1: its Taylor series (ten terms) for |x| < 1/2, exp(x) - 1 beyond.
// - atan, asin: the Cephes Math Library's float32 polynomials (S. L. Moshier) after its range
//   reductions; acos from asin of the half-angle, atan2 from atan of min/max.
// - sinh from expm1 below 1; cosh, and sinh above 1, from exp (exp(|x| / 2) squared past 20,
//   so the result is finite up to 89.4 although exp overflows at 88.7).
// - asinh and acosh as log1p of an argument that does not cancel; log(x) + ln 2 past 4096,
//   where x^2 would lose the 1 (and overflow past 1.8e19). atanh = log1p(2x / (1 - x)) / 2.
// - tan is the builtin: lavapipe's is within 2e-7 on [-1.5, 1.5].
// Every helper checks NaN first: WGSL lets a driver assume that no NaN reaches arithmetic.

import { horner, type MathHelper } from "./common";

const LOG1P_SERIES = [1 / 17, 1 / 15, 1 / 13, 1 / 11, 1 / 9, 1 / 7, 1 / 5, 1 / 3, 1];
const EXPM1_SERIES = [1 / 3628800, 1 / 362880, 1 / 40320, 1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1];
const ATAN_CEPHES = [8.05374449538e-2, -1.38776856032e-1, 1.99777106478e-1, -3.33329491539e-1];
const ASIN_CEPHES = [4.2163199048e-2, 2.4181311049e-2, 4.5470025998e-2, 7.4953002686e-2, 1.6666752422e-1];

export const transcendentalHelpers: Record<string, MathHelper> = {
  copySignF: {
    deps: [],
    // |r| with x's sign bit, so odd functions keep -0 as -0 (as JS Math does).
    source: `fn copySignF(r: f32, x: f32) -> f32 {
  return bitcast<f32>((bitcast<u32>(r) & 0x7fffffffu) | (bitcast<u32>(x) & 0x80000000u));
}`,
  },
  log1pF: {
    deps: ["logF"],
    source: `fn log1pF(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  if (abs(x) < 0.5) {
    let s = x / (2.0 + x);
    let z = s * s;
    return 2.0 * s * (${horner(LOG1P_SERIES, "z")});
  }
  return logF(1.0 + x);
}`,
  },
  expm1F: {
    deps: ["expF"],
    source: `fn expm1F(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  if (abs(x) < 0.5) { return x * (${horner(EXPM1_SERIES, "x")}); }
  return expF(x) - 1.0;
}`,
  },
  tanF: {
    deps: [],
    source: `fn tanF(x: f32) -> f32 {
  if (isNan(x) || isInf(x)) { return nanF(); }
  return tan(x);
}`,
  },
  atanF: {
    deps: ["copySignF"],
    source: `fn atanF(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  // Reduce to |t| <= tan(pi / 8): atan(a) = pi/2 + atan(-1/a) = pi/4 + atan((a - 1) / (a + 1)).
  var base = 0.0;
  var t = a;
  if (a > 2.4142135623730950) {
    base = 1.5707963267948966;
    t = -1.0 / a;
  } else if (a > 0.41421356237309503) {
    base = 0.78539816339744831;
    t = (a - 1.0) / (a + 1.0);
  }
  let z = t * t;
  let r = base + ((${horner(ATAN_CEPHES, "z")}) * z * t + t);
  return copySignF(r, x);
}`,
  },
  atan2F: {
    deps: ["atanF", "copySignF"],
    source: `fn atan2F(y: f32, x: f32) -> f32 {
  if (isNan(x) || isNan(y)) { return nanF(); }
  let ax = abs(x);
  let ay = abs(y);
  var r: f32;
  if (ax == ay && (ax == 0.0 || isInf(ax))) {
    r = select(0.0, 0.78539816339744831, ax != 0.0); // 0/0 and inf/inf have no quotient
  } else {
    r = atanF(min(ax, ay) / max(ax, ay));
  }
  if (ay > ax) { r = 1.5707963267948966 - r; }
  // x < 0, including -0 (atan2(0, -0) is pi, as in JS and PyTorch): the mirror angle.
  if ((bitcast<u32>(x) & 0x80000000u) != 0u) { r = 3.1415926535897932 - r; }
  return copySignF(r, y);
}`,
  },
  asinF: {
    deps: ["copySignF"],
    source: `fn asinF(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  if (a > 1.0) { return nanF(); }
  var r: f32;
  if (a > 0.5) {
    // asin(a) = pi/2 - 2 asin(sqrt((1 - a) / 2)), whose argument is exact.
    let z = 0.5 * (1.0 - a);
    let s = sqrt(z);
    r = 1.5707963267948966 - 2.0 * ((${horner(ASIN_CEPHES, "z")}) * z * s + s);
  } else {
    let z = a * a;
    r = (${horner(ASIN_CEPHES, "z")}) * z * a + a;
  }
  return copySignF(r, x);
}`,
  },
  acosF: {
    deps: ["asinF"],
    source: `fn acosF(x: f32) -> f32 {
  if (isNan(x) || abs(x) > 1.0) { return nanF(); }
  // Half-angle forms near +-1, where pi/2 - asin(x) would cancel.
  if (x > 0.5) { return 2.0 * asinF(sqrt(0.5 * (1.0 - x))); }
  if (x < -0.5) { return 3.1415926535897932 - 2.0 * asinF(sqrt(0.5 * (1.0 + x))); }
  return 1.5707963267948966 - asinF(x);
}`,
  },
  sinhF: {
    deps: ["copySignF", "expF", "expm1F"],
    source: `fn sinhF(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a < 1.0) {
    let e = expm1F(a); // sinh = (e^a - e^-a) / 2 with e^a = 1 + e: no cancellation
    r = 0.5 * (e + e / (e + 1.0));
  } else if (a < 20.0) {
    let e = expF(a);
    r = 0.5 * (e - 1.0 / e);
  } else {
    let h = expF(0.5 * a);
    r = (0.5 * h) * h;
  }
  return copySignF(r, x);
}`,
  },
  coshF: {
    deps: ["expF"],
    source: `fn coshF(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  if (a < 20.0) {
    let e = expF(a);
    return 0.5 * (e + 1.0 / e);
  }
  let h = expF(0.5 * a);
  return (0.5 * h) * h;
}`,
  },
  asinhF: {
    deps: ["copySignF", "logF", "log1pF"],
    source: `fn asinhF(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a < 4096.0) {
    // log(a + sqrt(a^2 + 1)) = log1p(a + a^2 / (1 + sqrt(a^2 + 1)))
    let a2 = a * a;
    r = log1pF(a + a2 / (1.0 + sqrt(1.0 + a2)));
  } else {
    r = logF(a) + 0.69314718055994531;
  }
  return copySignF(r, x);
}`,
  },
  acoshF: {
    deps: ["logF", "log1pF"],
    source: `fn acoshF(x: f32) -> f32 {
  if (isNan(x) || x < 1.0) { return nanF(); }
  if (x < 2.0) {
    let t = x - 1.0; // exact
    return log1pF(t + sqrt(2.0 * t + t * t));
  }
  if (x < 4096.0) { return logF(x + sqrt(x * x - 1.0)); }
  return logF(x) + 0.69314718055994531;
}`,
  },
  atanhF: {
    deps: ["copySignF", "log1pF"],
    source: `fn atanhF(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  if (a > 1.0) { return nanF(); }
  var r: f32;
  if (a == 1.0) {
    r = infF();
  } else {
    r = 0.5 * log1pF(2.0 * a / (1.0 - a));
  }
  return copySignF(r, x);
}`,
  },
};
