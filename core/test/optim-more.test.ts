// SGD's dampening and Nesterov momentum, Adam's amsgrad, NAdam, RAdam and Adamax against
// float64 transcriptions of PyTorch's documented algorithms, step by step; their jitted steps
// against eager ones (RAdam's across its switch from plain to rectified steps); their defaults
// and errors. Then ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts and CyclicLR against
// sequences worked out by hand.

import { t, assert, assertClose, eachBackend, expectJitStepMatchesEager } from "./helpers";
import { compare, type Reference } from "./optim-reference";

const { optim } = t;

/** Per-parameter reference state, made on a parameter's first step. */
function perParam<S>(init: (p: number[]) => S) {
  const states = new Map<number, S>();
  return (k: number, p: number[]) => {
    if (!states.has(k)) states.set(k, init(p));
    return states.get(k)!;
  };
}

function sgdRef(o: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }): Reference {
  const st = perParam(() => ({ buf: null as number[] | null }));
  return (k, p, grad) => {
    const s = st(k, p);
    const d = grad.map((g, i) => g + o.weightDecay * p[i]);
    s.buf = s.buf ? s.buf.map((b, i) => o.momentum * b + (1 - o.dampening) * d[i]) : d.slice();
    const buf = s.buf;
    return p.map((x, i) => x - o.lr * (o.nesterov ? d[i] + o.momentum * buf[i] : buf[i]));
  };
}

function adamRef(o: { lr: number; b1: number; b2: number; eps: number; weightDecay: number; amsgrad: boolean; decoupled: boolean }): Reference {
  const st = perParam((p) => ({ t: 0, m: p.map(() => 0), v: p.map(() => 0), vMax: p.map(() => 0) }));
  return (k, p0, grad) => {
    const s = st(k, p0);
    s.t += 1;
    const p = o.decoupled ? p0.map((x) => x * (1 - o.lr * o.weightDecay)) : p0;
    const g = o.decoupled ? grad : grad.map((x, i) => x + o.weightDecay * p0[i]);
    const bc1 = 1 - o.b1 ** s.t;
    const bc2 = 1 - o.b2 ** s.t;
    return p.map((x, i) => {
      s.m[i] = o.b1 * s.m[i] + (1 - o.b1) * g[i];
      s.v[i] = o.b2 * s.v[i] + (1 - o.b2) * g[i] ** 2;
      s.vMax[i] = Math.max(s.vMax[i], s.v[i]);
      const denom = Math.sqrt(o.amsgrad ? s.vMax[i] : s.v[i]) / Math.sqrt(bc2) + o.eps;
      return x - (o.lr / bc1) * (s.m[i] / denom);
    });
  };
}

function nadamRef(o: { lr: number; b1: number; b2: number; eps: number; weightDecay: number; momentumDecay: number; decoupled: boolean }): Reference {
  const st = perParam((p) => ({ t: 0, muProduct: 1, m: p.map(() => 0), v: p.map(() => 0) }));
  return (k, p0, grad) => {
    const s = st(k, p0);
    s.t += 1;
    const bc2 = 1 - o.b2 ** s.t;
    const p = o.decoupled ? p0.map((x) => x * (1 - o.lr * o.weightDecay)) : p0;
    const g = o.decoupled ? grad : grad.map((x, i) => x + o.weightDecay * p0[i]);
    const mu = o.b1 * (1 - 0.5 * 0.96 ** (s.t * o.momentumDecay));
    const muNext = o.b1 * (1 - 0.5 * 0.96 ** ((s.t + 1) * o.momentumDecay));
    s.muProduct *= mu;
    return p.map((x, i) => {
      s.m[i] += (g[i] - s.m[i]) * (1 - o.b1); // PyTorch's lerp
      s.v[i] = o.b2 * s.v[i] + (1 - o.b2) * g[i] ** 2;
      const denom = Math.sqrt(s.v[i] / bc2) + o.eps;
      const y = x - ((o.lr * (1 - mu)) / (1 - s.muProduct)) * (g[i] / denom);
      return y - ((o.lr * muNext) / (1 - s.muProduct * muNext)) * (s.m[i] / denom);
    });
  };
}

function radamRef(o: { lr: number; b1: number; b2: number; eps: number; weightDecay: number; decoupled: boolean }): Reference {
  const st = perParam((p) => ({ t: 0, m: p.map(() => 0), v: p.map(() => 0) }));
  return (k, p0, grad) => {
    const s = st(k, p0);
    s.t += 1;
    const p = o.decoupled ? p0.map((x) => x * (1 - o.lr * o.weightDecay)) : p0;
    const g = o.decoupled ? grad : grad.map((x, i) => x + o.weightDecay * p0[i]);
    const bc1 = 1 - o.b1 ** s.t;
    const bc2 = 1 - o.b2 ** s.t;
    const rhoInf = 2 / (1 - o.b2) - 1;
    const rho = rhoInf - (2 * s.t * o.b2 ** s.t) / bc2;
    return p.map((x, i) => {
      s.m[i] += (g[i] - s.m[i]) * (1 - o.b1);
      s.v[i] = o.b2 * s.v[i] + (1 - o.b2) * g[i] ** 2;
      const mHat = s.m[i] / bc1;
      if (rho <= 5) return x - mHat * o.lr;
      const rect = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      const adaptive = Math.sqrt(bc2) / (Math.sqrt(s.v[i]) + o.eps);
      return x - mHat * o.lr * adaptive * rect;
    });
  };
}

function adamaxRef(o: { lr: number; b1: number; b2: number; eps: number; weightDecay: number }): Reference {
  const st = perParam((p) => ({ t: 0, m: p.map(() => 0), u: p.map(() => 0) }));
  return (k, p, grad) => {
    const s = st(k, p);
    s.t += 1;
    const clr = o.lr / (1 - o.b1 ** s.t);
    return p.map((x, i) => {
      const g = grad[i] + o.weightDecay * x;
      s.m[i] += (g - s.m[i]) * (1 - o.b1);
      s.u[i] = Math.max(s.u[i] * o.b2, Math.abs(g) + o.eps);
      return x - (clr * s.m[i]) / s.u[i];
    });
  };
}

eachBackend("more optimizers against PyTorch's algorithms", () => {
  const sgd = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false };
  for (const [name, o] of [
    ["dampening", { momentum: 0.9, dampening: 0.5 }],
    ["nesterov", { momentum: 0.9, nesterov: true, weightDecay: 0.05 }],
  ] as const) {
    it(`SGD (${name}) matches step by step`, async () => {
      await compare((ps) => new optim.SGD(ps, { ...sgd, ...o }), sgdRef({ ...sgd, ...o }));
    });
  }

  const adam = { lr: 0.05, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, decoupled: false };
  it("Adam (amsgrad, weightDecay) and AdamW (amsgrad) match step by step", async () => {
    // b2 0.5 forgets fast, so that the running maximum differs from the average within 5 steps.
    const o = { ...adam, b2: 0.5, amsgrad: true, weightDecay: 0.1 };
    await compare((ps) => new optim.Adam(ps, { lr: o.lr, betas: [0.9, 0.5], amsgrad: true, weightDecay: 0.1 }), adamRef(o));
    await compare((ps) => new optim.AdamW(ps, { lr: o.lr, betas: [0.9, 0.5], amsgrad: true, weightDecay: 0.1 }), adamRef({ ...o, decoupled: true }));
  });

  const nadam = { lr: 2e-3, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupled: false };
  for (const [name, o] of [
    ["defaults", {}],
    ["weightDecay, momentumDecay", { lr: 0.05, weightDecay: 0.1, momentumDecay: 0.05 }],
    ["decoupled weight decay", { lr: 0.05, weightDecay: 0.1, decoupled: true }],
  ] as const) {
    it(`NAdam (${name}) matches step by step`, async () => {
      const c = { ...nadam, ...o };
      await compare(
        (ps) => new optim.NAdam(ps, { lr: c.lr, weightDecay: c.weightDecay, momentumDecay: c.momentumDecay, decoupledWeightDecay: c.decoupled }),
        nadamRef(c),
      );
    });
  }

  const radam = { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false };
  for (const [name, o] of [
    ["defaults", {}],
    // beta2 0.99: the variance becomes tractable (rho_t > 5) at step 6, within the 8 steps.
    ["beta2 0.99, weightDecay", { lr: 0.05, b2: 0.99, weightDecay: 0.1 }],
    ["beta2 0.99, decoupled weight decay", { lr: 0.05, b2: 0.99, weightDecay: 0.1, decoupled: true }],
  ] as const) {
    it(`RAdam (${name}) matches step by step`, async () => {
      const c = { ...radam, ...o };
      const make = (ps: t.Tensor[]) => new optim.RAdam(ps, { lr: c.lr, betas: [c.b1, c.b2], weightDecay: c.weightDecay, decoupledWeightDecay: c.decoupled });
      await compare(make, radamRef(c), 8);
    });
  }

  const adamax = { lr: 2e-3, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0 };
  for (const [name, o] of [["defaults", {}], ["weightDecay", { lr: 0.05, weightDecay: 0.1, b2: 0.9 }]] as const) {
    it(`Adamax (${name}) matches step by step`, async () => {
      const c = { ...adamax, ...o };
      await compare((ps) => new optim.Adamax(ps, { lr: c.lr, betas: [c.b1, c.b2], weightDecay: c.weightDecay }), adamaxRef(c));
    });
  }

  const jitted: [string, (ps: t.Tensor[]) => t.optim.Optimizer][] = [
    ["SGD dampening", (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.3 })],
    ["NAdam", (ps) => new optim.NAdam(ps, { lr: 0.01 })],
    ["RAdam", (ps) => new optim.RAdam(ps, { lr: 0.01, betas: [0.9, 0.99] })],
    ["Adamax", (ps) => new optim.Adamax(ps, { lr: 0.01 })],
  ];
  for (const [name, make] of jitted) {
    it(`a jitted training step (${name}) gives the eager losses and parameters`, async () => {
      await expectJitStepMatchesEager(make, { steps: 8, stepSize: 4 });
    });
  }

  it("defaults are PyTorch's, and bad options are named", () => {
    const ps = () => [t.zeros([2]).requiresGrad_()];
    const n = new optim.NAdam(ps());
    assert.deepEqual([n.lr, n.betas, n.eps, n.weightDecay, n.momentumDecay, n.decoupledWeightDecay], [2e-3, [0.9, 0.999], 1e-8, 0, 4e-3, false]);
    const r = new optim.RAdam(ps());
    assert.deepEqual([r.lr, r.betas, r.eps, r.weightDecay, r.decoupledWeightDecay], [1e-3, [0.9, 0.999], 1e-8, 0, false]);
    const x = new optim.Adamax(ps());
    assert.deepEqual([x.lr, x.betas, x.eps, x.weightDecay], [2e-3, [0.9, 0.999], 1e-8, 0]);
    assert.equal(new optim.Adam(ps()).amsgrad, false);
    const s = new optim.SGD(ps(), { lr: 0.1 });
    assert.deepEqual([s.momentum, s.dampening, s.nesterov], [0, 0, false]);
    assert.throws(() => new optim.SGD(ps(), { lr: 0.1, nesterov: true }), /SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0/);
    assert.throws(() => new optim.SGD(ps(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening 0.1/);
    assert.throws(() => new optim.NAdam(ps(), { momentumDecay: -1 }), /NAdam: momentumDecay must be a finite number >= 0, got -1/);
    assert.throws(() => new optim.Adamax(ps(), { eps: -1 }), /Adamax: eps must be/);
  });
});

/** The epoch-0 lr followed by the lr after each of n steps. */
function lrs(s: { step(): number; getLastLr(): number[] }, n: number): number[] {
  const out = [s.getLastLr()[0]];
  for (let i = 0; i < n; i++) out.push(s.step());
  return out;
}
const sgdAt = (lr = 1) => new optim.SGD([t.tensor([1], { dtype: "float32" }).requiresGrad_()], { lr });
const close = (got: number[], want: number[]) => assertClose(got, want, 1e-12, 1e-15);
const half = (pct: number) => (1 + Math.cos(Math.PI * pct)) / 2;

eachBackend("more schedules against hand-computed sequences", () => {
  it("ConstantLR scales the lr for totalIters epochs, from construction", () => {
    const opt = sgdAt();
    const s = new optim.ConstantLR(opt, { factor: 0.5, totalIters: 3 });
    assert.equal(opt.lr, 0.5);
    close(lrs(s, 4), [0.5, 0.5, 0.5, 1, 1]);
    close(lrs(new optim.ConstantLR(sgdAt(0.3)), 6), [0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.3]); // defaults 1/3, 5
    assert.throws(() => new optim.ConstantLR(sgdAt(), { factor: 2 }), /ConstantLR: factor must be a number in \[0, 1\]/);
  });

  it("PolynomialLR decays to 0 as (1 - epoch / totalIters) ** power", () => {
    close(lrs(new optim.PolynomialLR(sgdAt(), { totalIters: 4, power: 2 }), 5), [1, 0.5625, 0.25, 0.0625, 0, 0]);
    close(lrs(new optim.PolynomialLR(sgdAt(0.5)), 6), [0.5, 0.4, 0.3, 0.2, 0.1, 0, 0]); // defaults 5, 1
    assert.throws(() => new optim.PolynomialLR(sgdAt(), { total_iters: 3 } as never), /unknown option "total_iters" \(did you mean totalIters\?\)/);
  });

  it("CosineAnnealingWarmRestarts restarts after T0, then periods tMult times longer", () => {
    const s = new optim.CosineAnnealingWarmRestarts(sgdAt(), 2, { tMult: 2 });
    close(lrs(s, 8), [1, half(1 / 2), 1, half(1 / 4), half(2 / 4), half(3 / 4), 1, half(1 / 8), half(2 / 8)]);
    const f = (pct: number) => 0.1 + 0.9 * half(pct);
    close(lrs(new optim.CosineAnnealingWarmRestarts(sgdAt(), 3, { etaMin: 0.1 }), 7), [1, f(1 / 3), f(2 / 3), 1, f(1 / 3), f(2 / 3), 1, f(1 / 3)]);
    assert.throws(() => new optim.CosineAnnealingWarmRestarts(sgdAt(), 2, { tMult: 1.5 }), /tMult must be an integer >= 1, got 1.5/);
  });

  it("CyclicLR in its three modes, with unequal up and down steps", () => {
    const opt = sgdAt(5);
    const tri = new optim.CyclicLR(opt, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2 });
    assert.equal(opt.lr, 0.1); // PyTorch starts at baseLr, whatever the optimizer's lr
    close(lrs(tri, 8), [0.1, 0.55, 1, 0.55, 0.1, 0.55, 1, 0.55, 0.1]);
    const tri2 = new optim.CyclicLR(sgdAt(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, mode: "triangular2" });
    close(lrs(tri2, 8), [0.1, 0.55, 1, 0.55, 0.1, 0.325, 0.55, 0.325, 0.1]);
    const exp = new optim.CyclicLR(sgdAt(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, mode: "exp_range", gamma: 0.5 });
    close(lrs(exp, 3), [0.1, 0.1 + 0.45 * 0.5, 0.1 + 0.9 * 0.25, 0.1 + 0.45 * 0.125]);
    const skew = new optim.CyclicLR(sgdAt(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 1, stepSizeDown: 3 });
    close(lrs(skew, 5), [0.1, 1, 0.7, 0.4, 0.1, 1]);
    assert.throws(() => new optim.CyclicLR(sgdAt(), { baseLr: 0.1, maxLr: 1, mode: "triangle" as never }), /CyclicLR: mode must be "triangular", "triangular2" or "exp_range", got "triangle"/);
  });
});
