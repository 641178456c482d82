// Emits the float32 GEMM module: packing of A and B into panels, and an MR x NR register-blocked
// micro-kernel with a macro loop over one packed block. All sizes and addresses are byte
// offsets into the imported (shared) memory; the loops over cache blocks live in tasks.ts.
//
// Why 4 x 8: V8 gives wasm 15 usable xmm registers and 128-bit vectors, and TurboFan schedules
// all of a k step's broadcast loads of A before the arithmetic. A tile of MR rows by 8 columns
// then keeps 2*MR accumulators, two B vectors and MR broadcasts live: 15 for MR = 4 with the
// temporary of a separate mul and add. MR = 5 and 6 spilled accumulators to the stack and ran
// at about half the speed (Node 20, Zen 4: 4x8 measured 36 GFLOP/s with mul + add and 49 with
// relaxed_madd, 5x8 and 6x8 20-25 with either; 2x16 and 3x12 also reached 49 with FMA, which
// looks like the core's peak, but only 33 and 19 with mul + add). Unrolling k, and packing A
// pre-broadcast so the kernel loads instead of splatting, did not help either. Measured again
// (Node 20, EPYC, GFLOP per CPU-second, N = 512-2048, 1 and 2 threads): broadcasting A by
// shuffling the lanes of one v128 load per 4 rows removes 5x8's spills under FMA (10
// accumulators, 2 B, 3 for A) but ran at 34-37 against 4x8's 36-41, and mul + add still spills
// (19 against 29-33); 6x8 with FMA stays at 18-21. So 4 x 8 remains the tile.

import { Body, encodeModule, i32, v128 } from "./emit";

export interface SgemmVariant {
  /** Use f32x4.relaxed_madd (one fused op per update) instead of f32x4.mul + f32x4.add. */
  relaxed: boolean;
  /** Rows and columns per micro-tile, for experiments; default 4 x 8. */
  mr?: number;
  nr?: number;
}

export interface Tile {
  mr: number;
  /** A multiple of 4 (f32x4 vectors per tile row = nr / 4). */
  nr: number;
}

export const tileFor = (v: SgemmVariant): Tile => ({ mr: v.mr ?? 4, nr: v.nr ?? 8 });

/** Function indices of the internal calls (macro calls micro and edge). */
const MICRO = 0;
const EDGE = 1;

/**
 * micro(kc, ap, bp, c, ldc, first): C[MR, NR] (=|+=) Apanel[kc, MR]^T Bpanel[kc, NR].
 * `first` overwrites C (the first K block), otherwise the tile is added to C.
 */
function micro({ mr, nr }: Tile, relaxed: boolean): Body {
  const f = new Body([i32, i32, i32, i32, i32, i32]);
  const [kc, ap, bp, c, ldc, first] = [0, 1, 2, 3, 4, 5];
  const nv = nr / 4;
  const acc = Array.from({ length: nv * mr }, () => f.local(v128));
  const b = Array.from({ length: nv }, () => f.local(v128));
  const a = f.local(v128);
  for (const x of acc) f.v128Zero().set(x);

  // One k step reading A at ap+aOff and B at bp+bOff (memarg offsets, so no address math).
  const step = (aOff: number, bOff: number) => {
    for (let h = 0; h < nv; h++) f.get(bp).v128Load(bOff + 16 * h).set(b[h]);
    for (let r = 0; r < mr; r++) {
      f.get(ap).v128Load32Splat(aOff + 4 * r).set(a);
      for (let h = 0; h < nv; h++) {
        const x = acc[nv * r + h];
        if (relaxed) f.get(a).get(b[h]).get(x).f32x4RelaxedMadd().set(x);
        else f.get(x).get(a).get(b[h]).f32x4Mul().f32x4Add().set(x);
      }
    }
  };
  // Not unrolled: TurboFan hoists a second step's loads above the first step's arithmetic,
  // runs out of registers and spills accumulators (unrolling by two measured 26 vs 36 GFLOP/s).
  f.countDown(kc, () => {
    step(0, 0);
    f.inc(ap, 4 * mr).inc(bp, 4 * nr);
  });

  const store = (accumulate: boolean) => {
    const row = f.local(i32);
    f.get(c).set(row);
    for (let r = 0; r < mr; r++) {
      for (let h = 0; h < nv; h++) {
        f.get(row);
        if (accumulate) f.get(row).v128Load(16 * h).get(acc[nv * r + h]).f32x4Add();
        else f.get(acc[nv * r + h]);
        f.v128Store(16 * h);
      }
      if (r < mr - 1) f.get(row).get(ldc).add().set(row);
    }
  };
  f.get(first).ifElse(() => store(false), () => store(true));
  return f;
}

/** edge(tile, c, ldc, mr, nr, first): copies (or adds) the top-left mr x nr of a full tile to C. */
function edge(nrTile: number): Body {
  const f = new Body([i32, i32, i32, i32, i32, i32]);
  const [tile, c, ldc, mr, nr, first] = [0, 1, 2, 3, 4, 5];
  const r = f.local(i32);
  const j = f.local(i32);
  const dst = f.local(i32);
  const src = f.local(i32);
  f.i32c(0).set(r).forLoop(r, mr, 1, () => {
    f.get(c).get(r).get(ldc).mul().add().set(dst);
    f.get(tile).get(r).i32c(4 * nrTile).mul().add().set(src);
    f.i32c(0).set(j).forLoop(j, nr, 1, () => {
      f.get(dst).get(src).f32Load();
      f.f32c(0).get(dst).f32Load().get(first).select().f32Add();
      f.f32Store();
      f.inc(dst, 4).inc(src, 4);
    });
  });
  return f;
}

/**
 * macro(mc, nc, kc, ap, bp, c, ldc, first, tile): one packed block, C[mc, nc] (=|+=) A B.
 * Each NR-column B panel stays in L1 while the MR-row A panels stream past it from L2.
 * Partial tiles at the bottom and right are computed into `tile` and copied by edge().
 */
function macro({ mr: mrTile, nr: nrTile }: Tile): Body {
  const f = new Body([i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [mc, nc, kc, ap, bp, c, ldc, first, tile] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const jr = f.local(i32);
  const ir = f.local(i32);
  const nr = f.local(i32);
  const mr = f.local(i32);
  const bPanel = f.local(i32);
  const aPanel = f.local(i32);
  const cTile = f.local(i32);
  // into = min(limit - from, cap); select(x, y, c) is c ? x : y.
  const min = (limit: number, from: number, cap: number, into: number) =>
    f.get(limit).get(from).sub().set(into).i32c(cap).get(into).get(into).i32c(cap).geS().select().set(into);

  f.i32c(0).set(jr).forLoop(jr, nc, nrTile, () => {
    min(nc, jr, nrTile, nr);
    f.get(bp).get(jr).get(kc).mul().i32c(4).mul().add().set(bPanel);
    f.i32c(0).set(ir).forLoop(ir, mc, mrTile, () => {
      min(mc, ir, mrTile, mr);
      f.get(ap).get(ir).get(kc).mul().i32c(4).mul().add().set(aPanel);
      f.get(c).get(ir).get(ldc).mul().add().get(jr).i32c(4).mul().add().set(cTile);
      f.get(mr).i32c(mrTile).eq().get(nr).i32c(nrTile).eq().and().ifElse(
        () => f.get(kc).get(aPanel).get(bPanel).get(cTile).get(ldc).get(first).call(MICRO),
        () => {
          f.get(kc).get(aPanel).get(bPanel).get(tile).i32c(4 * nrTile).i32c(1).call(MICRO);
          f.get(tile).get(cTile).get(ldc).get(mr).get(nr).get(first).call(EDGE);
        },
      );
    });
  });
  return f;
}

/*
 * Packing copies a block of an operand into panels of `w` rows (A: w = MR, rows of A) or
 * columns (B: w = NR), each panel stored k-major (w consecutive values per k) and the last one
 * padded with zeros. Element (i, p) of the block, i along the panels and p along k, sits at
 * src + i * si + p * sp. Row-major A and a transposed B (stored [n, k]) have si = ld, sp = 4:
 * a panel gathers w strided rows (packGather). Row-major B and a transposed A (stored [k, m])
 * have si = 4, sp = ld: each k of a panel is w contiguous values (packCopy). So transposed
 * operands cost nothing extra; only the choice of routine changes.
 */

/**
 * packGather(src, ld, extent, kc, dst): element (i, p) at src + i * ld + 4 * p. Full panels go
 * 4 rows x 4 k at a time through a 4x4 transpose in registers; a scalar copy with its strided
 * stores took about 6% of a 1024^3 product.
 */
function packGather(w: number): Body {
  const f = new Body([i32, i32, i32, i32, i32]);
  const [src, ld, extent, kc, dst] = [0, 1, 2, 3, 4];
  const i = f.local(i32);
  const s = f.local(i32);
  const d = f.local(i32);
  const p = f.local(i32);
  /** Rows [from, w) of the panel at i one value at a time, zeros past `extent` if `check`. */
  const scalarRows = (from: number, check: boolean) => {
    for (let r = from; r < w; r++) {
      f.get(dst).get(i).get(kc).mul().i32c(r).add().i32c(4).mul().add().set(d);
      f.get(kc).set(p);
      const copy = () => {
        f.get(src).get(i).i32c(r).add().get(ld).mul().add().set(s);
        f.countDown(p, () => {
          f.get(d).get(s).f32Load().f32Store();
          f.inc(s, 4).inc(d, 4 * w);
        });
      };
      if (!check) copy();
      else f.get(i).i32c(r).add().get(extent).ltS().ifElse(copy, () => f.countDown(p, () => f.get(d).f32c(0).f32Store().inc(d, 4 * w)));
    }
  };
  const groups = Math.floor(w / 4);
  if (groups === 0) {
    f.i32c(0).set(i).forLoop(i, extent, w, () => scalarRows(0, true));
    return f;
  }
  const rows = [s, f.local(i32), f.local(i32), f.local(i32)];
  const v = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const lo = f.local(v128);
  const hi = f.local(v128);
  const fullPanel = () => {
    for (let g = 0; g < groups; g++) {
      f.get(dst).get(i).get(kc).mul().i32c(4 * g).add().i32c(4).mul().add().set(d);
      f.get(src).get(i).i32c(4 * g).add().get(ld).mul().add().set(rows[0]);
      for (let r = 1; r < 4; r++) f.get(rows[r - 1]).get(ld).add().set(rows[r]);
      f.get(kc).i32c(2).shrU().tee(p).ifElse(() => f.countDown(p, () => {
        for (let r = 0; r < 4; r++) f.get(rows[r]).v128Load().set(v[r]);
        // rows a, b, c, d -> columns (a0 b0 c0 d0) (a1 b1 c1 d1) (a2 ..) (a3 ..), one per k
        f.transpose4(v, lo, hi, (c, column) => {
          f.get(d);
          column();
          f.v128Store(4 * c * w);
        });
        for (const r of rows) f.inc(r, 16);
        f.inc(d, 16 * w);
      }));
      f.get(kc).i32c(3).and().tee(p).ifElse(() => f.countDown(p, () => {
        for (let r = 0; r < 4; r++) f.get(d).get(rows[r]).f32Load().f32Store(4 * r);
        for (const r of rows) f.inc(r, 4);
        f.inc(d, 4 * w);
      }));
    }
    scalarRows(4 * groups, false);
  };
  f.i32c(0).set(i).forLoop(i, extent, w, () => {
    f.get(i).i32c(w).add().get(extent).leS().ifElse(fullPanel, () => scalarRows(0, true));
  });
  return f;
}

/** packCopy(src, ld, extent, kc, dst): element (i, p) at src + 4 * i + p * ld. */
function packCopy(w: number): Body {
  const f = new Body([i32, i32, i32, i32, i32]);
  const [src, ld, extent, kc, dst] = [0, 1, 2, 3, 4];
  const jr = f.local(i32);
  const nr = f.local(i32);
  const s = f.local(i32);
  const d = f.local(i32);
  const p = f.local(i32);
  const j = f.local(i32);
  const width = f.local(i32);
  f.i32c(w).set(width);
  f.i32c(0).set(jr).forLoop(jr, extent, w, () => {
    f.get(src).get(jr).i32c(4).mul().add().set(s);
    f.get(dst).get(jr).get(kc).mul().i32c(4).mul().add().set(d);
    f.get(extent).get(jr).sub().set(nr);
    f.get(kc).set(p);
    f.get(nr).i32c(w).geS().ifElse(
      () => f.countDown(p, () => {
        for (let h = 0; h < Math.floor(w / 4); h++) f.get(d).get(s).v128Load(16 * h).v128Store(16 * h);
        for (let x = 4 * Math.floor(w / 4); x < w; x++) f.get(d).get(s).f32Load(4 * x).f32Store(4 * x);
        f.get(s).get(ld).add().set(s).inc(d, 4 * w);
      }),
      // Only the first nr values are read: reading past them could run off the end of the operand.
      () => f.countDown(p, () => {
        f.i32c(0).set(j).forLoop(j, width, 1, () => {
          f.get(j).get(nr).ltS().ifElse(
            () => f.get(d).get(j).i32c(4).mul().add().get(s).get(j).i32c(4).mul().add().f32Load().f32Store(),
            () => f.get(d).get(j).i32c(4).mul().add().f32c(0).f32Store(),
          );
        });
        f.get(s).get(ld).add().set(s).inc(d, 4 * w);
      }),
    );
  });
  return f;
}

export interface SgemmExports {
  macro(mc: number, nc: number, kc: number, ap: number, bp: number, c: number, ldc: number, first: number, tile: number): void;
  /** Packs A[mc, kc] (row stride lda bytes) into MR-row panels. */
  packA(src: number, lda: number, mc: number, kc: number, dst: number): void;
  /** The same from A stored transposed, [kc, mc] with row stride lda. */
  packAT(src: number, lda: number, mc: number, kc: number, dst: number): void;
  /** Packs B[kc, nc] (row stride ldb bytes) into NR-column panels. */
  packB(src: number, ldb: number, nc: number, kc: number, dst: number): void;
  /** The same from B stored transposed, [nc, kc] with row stride ldb. */
  packBT(src: number, ldb: number, nc: number, kc: number, dst: number): void;
}

/** The module bytes; it imports env.memory with these page limits. */
export function sgemmModule(v: SgemmVariant, memory: { initialPages: number; maximumPages: number; shared: boolean }): Uint8Array {
  const tile = tileFor(v);
  return encodeModule({
    memory,
    functions: [
      { body: micro(tile, v.relaxed) },
      { body: edge(tile.nr) },
      { name: "macro", body: macro(tile) },
      { name: "packA", body: packGather(tile.mr) },
      { name: "packAT", body: packCopy(tile.mr) },
      { name: "packB", body: packCopy(tile.nr) },
      { name: "packBT", body: packGather(tile.nr) },
    ],
  });
}
