// Pictures of tensors for notebooks: a grid of images ([H, W], [N, H, W] or [N, C, H, W] with
// C = 1 or 3), scaled to 0..255 from the data's own range (or [0, 1] when values lie in it).

import type { Tensor } from "../tensor";
import { displaySymbol, escapeHtml, type MimeBundle } from "./sink";
import { encodePng } from "./png";
import { ShapeError } from "../errors";
import { formatShape } from "../shape";

export interface GridOptions {
  /** Images per row (default: up to 10). */
  cols?: number;
  /** Pixel size multiplier (default 2). */
  scale?: number;
  /** Labels drawn under the images in the HTML view, one per image. */
  labels?: (string | number)[];
}

function layout(x: Tensor): { n: number; c: 1 | 3; h: number; w: number; channelsLast: false } {
  const s = x.shape;
  if (s.length === 2) return { n: 1, c: 1, h: s[0], w: s[1], channelsLast: false };
  if (s.length === 3) return { n: s[0], c: 1, h: s[1], w: s[2], channelsLast: false };
  if (s.length === 4 && (s[1] === 1 || s[1] === 3)) return { n: s[0], c: s[1] as 1 | 3, h: s[2], w: s[3], channelsLast: false };
  throw new ShapeError(`imageGrid: expected [H, W], [N, H, W] or [N, C, H, W] with C = 1 or 3, got ${formatShape(s)}`, {
    op: "imageGrid",
    operands: [{ role: "input", shape: s.slice(), dtype: x.dtype }],
    conflict: [],
    rule: "images are [H, W], [N, H, W] or [N, C, H, W] with 1 or 3 channels.",
    suggestions: s.length === 2 && Math.sqrt(s[1]) % 1 === 0 ? [{ code: `{input}.reshape([-1, ${Math.sqrt(s[1])}, ${Math.sqrt(s[1])}])`, resultShape: [s[0], Math.sqrt(s[1]), Math.sqrt(s[1])] }] : [],
  });
}

export class ImageGrid {
  constructor(readonly images: Tensor, readonly options: GridOptions = {}) {
    layout(images);
  }

  async png(): Promise<{ png: Uint8Array; width: number; height: number }> {
    const { n, c, h, w } = layout(this.images);
    const v = await this.images.astype("float32").data();
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of v) if (Number.isFinite(a)) [lo, hi] = [Math.min(lo, a), Math.max(hi, a)];
    if (lo >= 0 && hi <= 1) [lo, hi] = [0, 1];
    const span = hi > lo ? hi - lo : 1;
    const cols = Math.min(n, this.options.cols ?? 10);
    const rows = Math.ceil(n / cols);
    const s = this.options.scale ?? 2;
    const pad = 2;
    const W = cols * (w * s + pad) + pad;
    const H = rows * (h * s + pad) + pad;
    const px = new Uint8Array(W * H * c).fill(255);
    for (let k = 0; k < n; k++) {
      const ox = pad + (k % cols) * (w * s + pad);
      const oy = pad + Math.floor(k / cols) * (h * s + pad);
      for (let y = 0; y < h * s; y++) {
        for (let x = 0; x < w * s; x++) {
          for (let ch = 0; ch < c; ch++) {
            const val = v[((k * c + ch) * h + Math.floor(y / s)) * w + Math.floor(x / s)];
            px[((oy + y) * W + ox + x) * c + ch] = Math.round((255 * (val - lo)) / span);
          }
        }
      }
    }
    return { png: encodePng(px, W, H, c), width: W, height: H };
  }

  async [displaySymbol](): Promise<MimeBundle> {
    const { png, width } = await this.png();
    const b64 = Buffer.from(png).toString("base64");
    const { n, h, w } = layout(this.images);
    const labels = this.options.labels;
    const caption = labels ? `<div style="font-family: monospace; font-size: 11px">${escapeHtml(labels.join(" "))}</div>` : "";
    return {
      "image/png": b64,
      "text/html": `<img src="data:image/png;base64,${b64}" width="${width}" style="image-rendering: pixelated"/>${caption}`,
      "text/plain": `ImageGrid(${n} image${n === 1 ? "" : "s"} of ${h}x${w}${labels ? `; labels ${labels.join(" ")}` : ""})`,
    };
  }
}

/** Shows images as one picture: display(imageGrid(xTrain.index("0:20"))) in a notebook. */
export function imageGrid(images: Tensor, options: GridOptions = {}): ImageGrid {
  return new ImageGrid(images, options);
}
