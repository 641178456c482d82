// The cells the kernel benchmark runs: a trivial expression, a 50-line typed cell (an interface,
// a type alias and a function with typed locals, like a notebook's helper cell), and the 50
// "growing session" cells used for the memory measurement.

export const ONE_PLUS_ONE = "1+1";

/** 50 lines: interface + type + a function using them, then a call. */
export function typedCell() {
  const lines = [
    "interface Sample {",
    "  id: number;",
    "  label: string;",
    "  features: number[];",
    "  weight?: number;",
    "}",
    "type Summary = { count: number; mean: number; min: number; max: number; labels: Record<string, number> };",
    "function summarize(samples: Sample[]): Summary {",
    "  let count = 0;",
    "  let total = 0;",
    "  let min = Infinity;",
    "  let max = -Infinity;",
    "  const labels: Record<string, number> = {};",
    "  for (const s of samples) {",
    "    const w: number = s.weight ?? 1;",
    "    for (const f of s.features) {",
    "      const v: number = f * w;",
    "      total += v;",
    "      count += 1;",
    "      if (v < min) min = v;",
    "      if (v > max) max = v;",
    "    }",
    "    labels[s.label] = (labels[s.label] ?? 0) + 1;",
    "  }",
    "  const mean: number = count === 0 ? 0 : total / count;",
    "  return { count, mean, min, max, labels };",
    "}",
    "function makeSamples(n: number): Sample[] {",
    "  const out: Sample[] = [];",
    "  for (let i = 0; i < n; i++) {",
    "    const features: number[] = [];",
    "    for (let j = 0; j < 4; j++) features.push(Math.sin(i + j));",
    "    out.push({ id: i, label: i % 2 === 0 ? \"even\" : \"odd\", features, weight: i % 3 === 0 ? 2 : undefined });",
    "  }",
    "  return out;",
    "}",
    "function describe(s: Summary): string {",
    "  const parts: string[] = [];",
    "  parts.push(`count=${s.count}`);",
    "  parts.push(`mean=${s.mean.toFixed(3)}`);",
    "  parts.push(`min=${s.min.toFixed(3)}`);",
    "  parts.push(`max=${s.max.toFixed(3)}`);",
    "  for (const [k, v] of Object.entries(s.labels)) {",
    "    parts.push(`${k}=${v}`);",
    "  }",
    "  return parts.join(\", \");",
    "}",
    "const samples: Sample[] = makeSamples(100);",
    "const summary: Summary = summarize(samples);",
    "describe(summary);",
  ];
  return lines.join("\n");
}

/** The i-th cell of a growing session (each adds an array, a function and calls it). */
export function growingCell(i) {
  return `const v${i}: number[] = Array.from({ length: 1000 }, (_, j) => j * ${i});\n` +
    `function f${i}(xs: number[]): number { return xs.reduce((a, b) => a + b, 0); }\n` +
    `f${i}(v${i})`;
}
