// PixelShuffle, as torch's nn.PixelShuffle: [N, C r^2, H, W] -> [N, C, H r, W r], the
// upsampling step of sub-pixel convolution (a conv makes r^2 channels per output channel and
// this lays them out as r x r blocks). A reshape, a permute and a reshape.

import type { Tensor } from "../tensor";
import { Module } from "./module";
import { builtinLayer } from "./layers";
import { InputError } from "../errors";
import { imageError } from "./conv";
import { formatShape } from "../shape";

/** [N, C r^2, H, W] -> [N, C, H r, W r]: channel c r^2 + i r + j goes to pixel (h r + i, w r + j) of channel c. */
export function pixelShuffle(x: Tensor, r: number): Tensor {
  if (!Number.isInteger(r) || r <= 0) throw new InputError(`pixelShuffle: upscaleFactor must be a positive integer, got ${r}`);
  if (x.ndim !== 4) throw imageError("pixelShuffle", x, null);
  const [n, c, h, w] = x.shape;
  if (c % (r * r) !== 0) throw new InputError(`pixelShuffle: the channels (${c}) of input ${formatShape(x.shape)} must be divisible by upscaleFactor^2 = ${r * r}`);
  const k = c / (r * r);
  return x.reshape([n, k, r, r, h, w]).permute([0, 1, 4, 2, 5, 3]).reshape([n, k, h * r, w * r]);
}

export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
    if (!Number.isInteger(upscaleFactor) || upscaleFactor <= 0) throw new InputError(`PixelShuffle: upscaleFactor must be a positive integer, got ${upscaleFactor}`);
  }
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }
  override describe(): string {
    return `PixelShuffle(upscaleFactor=${this.upscaleFactor})`;
  }
}

builtinLayer(PixelShuffle);
