// Average pooling (AvgPool2d, AdaptiveAvgPool2d) against window means written out by hand,
// PyTorch's adaptive windows for sizes that do not divide, gradients by finite differences,
// and the errors for inputs the layers cannot take.

import { t, assert, expectTensor, gradCheck, eachBackend } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

eachBackend("pooling", () => {
  it("AvgPool2d averages non-overlapping windows and drops rows and columns that do not fill one", async () => {
    const x = t.tensor([[[[1, 2, 5, 0, 9], [3, 4, 1, 1, 9], [0, 0, 2, 2, 9], [9, 0, 2, 3, 9], [7, 7, 7, 7, 7]]]]);
    await expectTensor(new nn.AvgPool2d(2).forward(x), [[[[2.5, 1.75], [2.25, 2.25]]]], { dtype: "float32" });
    await expectTensor(new nn.AvgPool2d([1, 2]).forward(x.index(":", ":", ":2")), [[[[1.5, 2.5], [3.5, 1]]]]);
    await gradCheck((v: Tensor) => new nn.AvgPool2d(2).forward(v).square().sum(), [t.randn([2, 2, 4, 4])]);
  });

  it("AdaptiveAvgPool2d(1) is the global average; other sizes use PyTorch's windows", async () => {
    const x = t.arange(40).reshape([2, 1, 4, 5]);
    await expectTensor(new nn.AdaptiveAvgPool2d(1).forward(x), [[[[9.5]]], [[[29.5]]]], { dtype: "float32" });
    // H 4 -> 2: rows 0-1, 2-3. W 5 -> 3: columns [0, 2), [1, 4), [3, 5).
    await expectTensor(new nn.AdaptiveAvgPool2d([2, 3]).forward(x.index(0).unsqueeze(0)), [[[[3, 4.5, 6], [13, 14.5, 16]]]]);
    // 4 -> 2 divides: plain 2 x 2 windows.
    await expectTensor(new nn.AdaptiveAvgPool2d(2).forward(t.arange(16).reshape([1, 1, 4, 4])), [[[[2.5, 4.5], [10.5, 12.5]]]]);
    // Growing 2 -> 3 repeats inputs: windows [0, 1), [0, 2), [1, 2).
    await expectTensor(new nn.AdaptiveAvgPool2d([1, 3]).forward(t.tensor([[[[2, 6]]]])), [[[[2, 4, 6]]]]);
    await gradCheck((v: Tensor) => new nn.AdaptiveAvgPool2d([2, 3]).forward(v).square().sum(), [t.randn([1, 2, 4, 5])]);
    await gradCheck((v: Tensor) => new nn.AdaptiveAvgPool2d(1).forward(v).square().sum(), [t.randn([2, 2, 3, 3])]);
  });

  it("MaxPool2d is unchanged: maxima of windows, with a gradient to the maximum", async () => {
    const x = t.tensor([[[[1, 2, 5, 0], [3, 4, 1, 1], [0, 0, 2, 2], [9, 0, 2, 3]]]]).astype("float32");
    await expectTensor(new nn.MaxPool2d(2).forward(x), [[[[4, 5], [9, 3]]]]);
    const g = t.grad((v: Tensor) => new nn.MaxPool2d(2).forward(v).sum())(x);
    await expectTensor(g, [[[[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 1]]]]);
  });

  it("explains inputs and options it cannot take", () => {
    assert.throws(() => new nn.AvgPool2d(2).forward(t.zeros([4, 4])), /AvgPool2d expects input \[N, C, H, W\], got shape \[4, 4\]/);
    assert.throws(() => new nn.AvgPool2d(3).forward(t.zeros([1, 1, 2, 5])), /AvgPool2d: a 3x3 window does not fit the 2x5 input/);
    assert.throws(() => new nn.MaxPool2d(2, { stride: 1 }), /MaxPool2d: only stride = kernel size \(non-overlapping windows\) is supported, got stride 1x1 for kernel 2x2/);
    assert.throws(() => new nn.AdaptiveAvgPool2d(0), /AdaptiveAvgPool2d: sizes must be positive integers, got 0/);
    assert.throws(() => new nn.AdaptiveAvgPool2d(1).forward(t.zeros([2, 3, 4])), /AdaptiveAvgPool2d expects input \[N, C, H, W\], got shape \[2, 3, 4\]/);
  });
});
