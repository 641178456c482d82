// WGSL math helpers whose builtin versions do not match the CPU reference (plain JS Math in
// double precision, rounded to float32): the builtins leave edge cases undefined or lose
// accuracy on some drivers, so we spell them out.
//
// - erf: x * P(x^2) below 1.5 keeps full relative accuracy near 0 (Abramowitz-Stegun 7.1.26
//   computes 1 - poly * exp and so cancels catastrophically there); above 1.5,
//   erf = 1 - exp(-x^2) * Q(1/x). P and Q are Chebyshev least-squares fits made for this
//   project with mpmath.chebyfit (degree 8 in x^2 on [0, 2.25]; degree 7 in 1/x on [1/4, 2/3]);
//   simulated float32 evaluation stays within 2e-7 relative error.
// - tanh: odd polynomial below 0.5 (the exp formula cancels there), 1 - 2/(e^2x + 1) above,
//   and +-1 past 10 where a driver's tanh can return NaN.
// - pow follows JS Math.pow (NaN exponent -> NaN, 1^inf -> NaN, x^0 -> 1), with exact repeated
//   multiplication for small integer exponents, so x ** 2 matches the CPU bit for bit.
// - mod is floored (the result takes the divisor's sign, as in Python) on top of an exact
//   truncated remainder like JS %: fma with a corrected quotient, or long division when the
//   quotient is beyond 2^23.
// - log1p, expm1, the hyperbolic and inverse trigonometric functions: see transcendental.ts.

import { horner, type MathHelper } from "./common";
import { transcendentalHelpers } from "./transcendental";

const ERF_SMALL = [
  6.205873060404022e-7, -1.132887370811487e-5, 0.00011309676159880694, -0.000845462740956296,
  0.005216919267809122, -0.026863147521137064, 0.11283726278315473, -0.3761263342329531,
  1.1283791663354448,
];
const ERFC_LARGE = [
  0.019254391224902967, -0.005784975460316028, -0.1727379606996771, 0.4338808992685163,
  -0.4407023546714043, 0.03341485194043154, 0.5603165666548592, 0.0001919446156041485,
];
const TANH_SMALL = [
  -0.0009849941049264166, 0.003415370282047567, -0.008827257095239422, 0.021865363235290286,
  -0.053967994875471936, 0.13333332529982497, -0.33333333323808056, 0.9999999999998141,
];

const helpers: Record<string, MathHelper> = {
  ...transcendentalHelpers,
  expF: {
    deps: [],
    source: `fn expF(x: f32) -> f32 {
  if (x > 88.72284) { return infF(); }
  if (x < -103.97208) { return 0.0; }
  return exp(x);
}`,
  },
  logF: {
    deps: [],
    source: `fn logF(x: f32) -> f32 {
  if (x < 0.0) { return nanF(); }
  if (x == 0.0) { return -infF(); }
  if (isInf(x)) { return x; }
  return log(x);
}`,
  },
  sqrtF: {
    deps: [],
    source: `fn sqrtF(x: f32) -> f32 {
  if (x < 0.0) { return nanF(); }
  if (isInf(x)) { return x; }
  return sqrt(x);
}`,
  },
  rsqrtF: {
    deps: ["sqrtF"],
    source: `fn rsqrtF(x: f32) -> f32 {
  if (x == 0.0) { return infF(); }
  return 1.0 / sqrtF(x);
}`,
  },
  sigmoidF: {
    deps: ["expF"],
    source: `fn sigmoidF(x: f32) -> f32 {
  // exp of a non-positive number only, so nothing overflows for large |x|.
  if (x >= 0.0) { return 1.0 / (1.0 + expF(-x)); }
  let e = expF(x);
  return e / (1.0 + e);
}`,
  },
  tanhF: {
    deps: ["expF"],
    source: `fn tanhF(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) { let u = x * x; return x * (${horner(TANH_SMALL, "u")}); }
  if (ax > 10.0) { return select(-1.0, 1.0, x > 0.0); }
  let e = expF(2.0 * ax);
  let t = 1.0 - 2.0 / (e + 1.0);
  return select(-t, t, x > 0.0);
}`,
  },
  erfF: {
    deps: ["expF"],
    source: `fn erfF(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 1.5) { let u = x * x; return x * (${horner(ERF_SMALL, "u")}); }
  if (ax >= 4.0) { return select(-1.0, 1.0, x > 0.0); }
  let t = 1.0 / ax;
  let r = 1.0 - expF(-ax * ax) * (${horner(ERFC_LARGE, "t")});
  return select(-r, r, x > 0.0);
}`,
  },
  signF: {
    deps: [],
    source: `fn signF(x: f32) -> f32 {
  if (x > 0.0) { return 1.0; }
  if (x < 0.0) { return -1.0; }
  return x; // 0, -0 and NaN stay
}`,
  },
  maximumF: {
    deps: [],
    source: `fn maximumF(a: f32, b: f32) -> f32 {
  if (isNan(a) || isNan(b)) { return nanF(); }
  return max(a, b);
}`,
  },
  minimumF: {
    deps: [],
    source: `fn minimumF(a: f32, b: f32) -> f32 {
  if (isNan(a) || isNan(b)) { return nanF(); }
  return min(a, b);
}`,
  },
  modF: {
    deps: [],
    source: `fn modF(a: f32, b: f32) -> f32 {
  if (b == 0.0 || isNan(a) || isNan(b) || isInf(a)) { return nanF(); }
  if (isInf(b)) { return select(b, a, a == 0.0 || (a < 0.0) == (b < 0.0)); }
  // Truncated remainder of |a| by |b|, exactly (as JS % is), then floored.
  let m = abs(b);
  let x = abs(a);
  var r = x;
  if (x >= m) {
    let q = trunc(x / m);
    if (q < 8388608.0) {
      // q is exact but may be one off; with the right q, fma's single rounding is exact.
      r = fma(-m, q, x);
      if (r < 0.0) { r = fma(-m, q - 1.0, x); } else if (r >= m) { r = fma(-m, q + 1.0, x); }
    } else {
      // Huge quotient: long division, one binary digit per step; each subtraction is
      // exact because t <= r < 2t (Sterbenz).
      loop {
        if (r < m) { break; }
        var t = ldexp(m, frexp(r).exp - frexp(m).exp);
        if (t > r) { t = t * 0.5; }
        r = r - t;
      }
    }
  }
  r = select(r, -r, a < 0.0);
  if (r != 0.0 && (r < 0.0) != (b < 0.0)) { r += b; }
  return r;
}`,
  },
  modI: {
    deps: [],
    source: `fn modI(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  if (b == -1) { return 0; } // also avoids the i32 overflow of MIN % -1
  var r = a % b;
  if (r != 0 && (r < 0) != (b < 0)) { r += b; }
  return r;
}`,
  },
  divI: {
    deps: [],
    source: `fn divI(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  return a / b;
}`,
  },
  powI: {
    deps: [],
    source: `fn powI(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) != 0) { result *= base; }
    base *= base;
    e = e >> 1u;
  }
  return result;
}`,
  },
  powF: {
    deps: [],
    source: `fn powIntF(a: f32, n: i32) -> f32 {
  var result = 1.0;
  var base = a;
  var e = abs(n);
  loop {
    if (e == 0) { break; }
    if ((e & 1) != 0) { result *= base; }
    e = e >> 1u;
    if (e != 0) { base *= base; }
  }
  return select(result, 1.0 / result, n < 0);
}
fn powF(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isNan(a) || isNan(b)) { return nanF(); }
  let bInt = trunc(b) == b;
  if (bInt && abs(b) <= 64.0) { return powIntF(a, i32(b)); }
  let bOdd = bInt && abs(b) < 16777216.0 && (i32(b) & 1) != 0;
  if (isInf(b)) {
    let aa = abs(a);
    if (aa == 1.0) { return nanF(); }
    return select(0.0, infF(), (aa > 1.0) == (b > 0.0));
  }
  if (a == 0.0) { return select(infF(), 0.0, b > 0.0); }
  if (isInf(a)) {
    let m = select(0.0, infF(), b > 0.0);
    return select(m, -m, a < 0.0 && bOdd);
  }
  if (a < 0.0) {
    if (!bInt) { return nanF(); }
    let m = exp2(b * log2(-a));
    return select(m, -m, bOdd);
  }
  return exp2(b * log2(a));
}`,
  },
};

/** Sources of the named helpers and everything they depend on, each once, dependencies first. */
export function mathHelpers(names: Iterable<string>): string {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const helper = helpers[name];
    if (!helper) throw new Error(`unknown WGSL helper ${name}`);
    helper.deps.forEach(visit);
    out.push(helper.source);
  };
  for (const name of names) visit(name);
  return out.join("\n");
}
