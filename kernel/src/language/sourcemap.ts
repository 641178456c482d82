// Reading source maps (version 3): enough to map a position in the JavaScript that ran back to
// the cell. Base64 VLQ as in https://sourcemaps.info/spec.html ("mappings" field).

import type { RawSourceMap } from "./tslab";

/** [generated column, source line, source column], all zero-based. */
type Segment = [number, number, number];

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = B64_VALUE.get(c);
    if (digit === undefined) throw new Error(`bad VLQ character ${c}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

export class SourceMap {
  /** Segments of each generated line, sorted by column. */
  private readonly lines: Segment[][] = [];

  constructor(raw: RawSourceMap) {
    let srcLine = 0;
    let srcCol = 0;
    for (const lineText of raw.mappings.split(";")) {
      const segments: Segment[] = [];
      let genCol = 0;
      for (const seg of lineText.split(",")) {
        if (!seg) continue;
        const f = decodeVlq(seg);
        genCol += f[0];
        if (f.length >= 4) {
          srcLine += f[2];
          srcCol += f[3];
          segments.push([genCol, srcLine, srcCol]);
        }
      }
      this.lines.push(segments);
    }
  }

  /** The source position of a zero-based generated position: the closest mapped segment at or
   * before the column on that line (or the line's first one). */
  lookup(line: number, column: number): { line: number; column: number } | null {
    const segs = this.lines[line];
    if (!segs || segs.length === 0) return null;
    let best = segs[0];
    for (const s of segs) {
      if (s[0] <= column) best = s;
      else break;
    }
    // The segment's own start, not start + offset: a segment may stand for generated text that
    // is longer than its source (e.g. `exports.x` for `x`), and a token start is always safe to
    // look up in the cell's syntax tree.
    return { line: best[1], column: best[2] };
  }
}

/** Maps through a chain of maps, last step first (runtime JS -> ... -> original). */
export function mapThrough(maps: SourceMap[], line: number, column: number): { line: number; column: number } | null {
  let pos: { line: number; column: number } | null = { line, column };
  for (const m of maps) {
    if (!pos) return null;
    pos = m.lookup(pos.line, pos.column);
  }
  return pos;
}
