"""Executes the teaching notebooks in notebooks/ end to end with nbclient (what nbconvert --execute
and papermill use) through the real tsdl kernel, and checks their outputs: no errors except in
cells tagged `raises-exception`, plus the key values each lesson teaches.

    .venv/bin/python -m pytest test/notebooks            # the tests
    .venv/bin/python test/notebooks/test_notebooks.py    # re-execute and save the outputs

The kernel is built with `npx tsc -b kernel` (incremental) and its kernelspec installed into a
temporary prefix with the kernel's own CLI, so the test uses this checkout's kernel whatever is
installed elsewhere. Cells are found by their cell id, so markdown can be edited freely.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["00-tensors", "01-autodiff", "02-mnist-mlp", "03-mnist-convnet", "04-attention", "05-autoencoder", "06-inside-the-network", "07-linear-algebra", "08-segmentation"]
CLI = ROOT / "kernel" / "dist" / "src" / "cli.js"
TENSOR = "application/vnd.tsdl.tensor+json"
SHAPE_ERROR = "application/vnd.tsdl.shape-error+json"
VEGALITE = "application/vnd.vegalite.v5+json"
CELL_TIMEOUT = 600

_prepared = False


def prepare_kernel():
    """Builds the kernel (incremental) and makes this checkout's `tsdl` kernelspec the one found."""
    global _prepared
    if _prepared:
        return
    subprocess.run(["npx", "tsc", "-b", "kernel"], cwd=ROOT, check=True)
    prefix = tempfile.mkdtemp(prefix="tsdl-notebooks-")
    subprocess.run(["node", str(CLI), "install", "--prefix", prefix], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(Path(prefix) / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
    ).rstrip(os.pathsep)
    _prepared = True


def execute(name, record_timing=True):
    """A fresh copy of notebooks/NAME.ipynb without outputs, executed top to bottom."""
    prepare_kernel()
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        kernel_name="tsdl",
        timeout=CELL_TIMEOUT,
        record_timing=record_timing,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    nbformat.validate(nb)
    return nb


# ---- helpers ----------------------------------------------------------------------------------


def cell(nb, cell_id):
    for c in nb.cells:
        if c.get("id") == cell_id:
            return c
    raise AssertionError(f"no cell with id {cell_id!r}")


def stdout(c):
    return "".join(o.text for o in c.outputs if o.output_type == "stream" and o.name == "stdout")


def bundles(c):
    return [o.data for o in c.outputs if o.output_type in ("execute_result", "display_data")]


def tensors(c):
    return [d[TENSOR] for d in bundles(c) if TENSOR in d]


def result_tensor(c):
    (res,) = [o for o in c.outputs if o.output_type == "execute_result"]
    return res.data[TENSOR]


def result_text(c):
    (res,) = [o for o in c.outputs if o.output_type == "execute_result"]
    return res.data["text/plain"]


def check_no_unexpected_errors(nb):
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        errors = [o for o in c.outputs if o.output_type == "error"]
        stderr = [o.text for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
        if "raises-exception" in c.metadata.get("tags", []):
            assert errors, f"cell {c.id} is tagged raises-exception but raised nothing"
        else:
            assert not errors, f"cell {i} ({c.id}) failed: " + "\n".join(
                "\n".join(e.traceback) for e in errors
            )
            assert not stderr, f"cell {i} ({c.id}) wrote to stderr: {''.join(stderr)}"
        assert c.execution_count is not None, f"cell {c.id} did not run"


CHECK_LINE = re.compile(r"^(.+?)\s+tsdl:\s+(-?[\d.]+)\s+calculus:\s+(-?[\d.]+)\s+(✓|✗)$", re.M)


def checks(c):
    """The `check(...)` lines of 01-autodiff: {what: (tsdl, calculus, ok)}."""
    return {m[1]: (float(m[2]), float(m[3]), m[4] == "✓") for m in CHECK_LINE.finditer(stdout(c))}


def assert_epochs_charted(c, epochs, batches):
    """A training cell's output: one progress bar per epoch, each finished, and a live chart."""
    shown = bundles(c)
    bars = [d["text/plain"] for d in shown if d["text/plain"].startswith("epoch ")]
    assert len(bars) == epochs and all("100%" in b and f"{batches}/{batches}" in b for b in bars), bars
    assert any(VEGALITE in d for d in shown)


def approx(a, b, tol=1e-4):
    return abs(a - b) <= tol * max(1.0, abs(b))


# ---- the notebooks as saved in the repository ---------------------------------------------------


def test_saved_notebooks_have_outputs_and_the_tsdl_kernelspec():
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec == {"name": "tsdl", "display_name": "TypeScript (tsdl)", "language": "typescript"}
        assert nb.metadata.language_info["name"] == "typescript"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), f"{name}: not saved after a full run"
        assert sum(1 for c in code if c.outputs) >= len(code) - 2, f"{name}: saved without outputs"
        check_no_unexpected_errors(nb)


# ---- executed now ---------------------------------------------------------------------------


def test_00_tensors():
    nb = execute("00-tensors")
    check_no_unexpected_errors(nb)

    assert result_tensor(cell(nb, "scalar"))["shape"] == []
    assert result_tensor(cell(nb, "vector"))["values"] == [1, 2]
    assert result_tensor(cell(nb, "matrix"))["values"] == [[1, 2], [3, 4]]
    cube = result_tensor(cell(nb, "cube"))
    assert (cube["shape"], cube["dtype"]) == ([3, 3, 3], "float32")
    assert "ndim: 2  size: 4  dtype: int32" in stdout(cell(nb, "shape"))
    assert result_text(cell(nb, "shape")) == "[ 2, 2 ]"

    assert [t["dtype"] for t in tensors(cell(nb, "dtype"))] == ["float32", "float32"]
    assert [t["values"] for t in tensors(cell(nb, "vectorized"))] == [[11, 22, 33], [10, 40, 90], [1, 4, 9]]
    assert result_tensor(cell(nb, "broadcast-row"))["values"] == [[10, 200], [30, 400]]
    table = result_tensor(cell(nb, "broadcast-table"))
    assert (table["shape"], table["values"]) == ([2, 3], [[11, 21, 31], [12, 22, 32]])

    outer = result_tensor(cell(nb, "outer-product"))
    assert (outer["shape"], outer["values"]) == ([2, 2], [[3, 4], [6, 8]])
    inner = result_tensor(cell(nb, "inner-product"))
    assert (inner["shape"], inner["values"]) == ([1, 1], [[11]])
    assert [t["values"] for t in tensors(cell(nb, "mul-vs-matmul"))] == [[[1, 4], [9, 16]], [[7, 10], [15, 22]]]

    assert [t["values"] for t in tensors(cell(nb, "sum"))] == [10, [4, 6], [3, 7]]
    mean = result_tensor(cell(nb, "mean"))
    assert (mean["shape"], mean["dtype"], mean["values"]) == ([], "float32", 2.5)
    assert result_tensor(cell(nb, "mean-rows"))["values"] == [1.5, 3.5]
    assert [t["shape"] for t in tensors(cell(nb, "reshape"))] == [[3, 4], [2, 3, 2], [2, 6]]
    assert result_tensor(cell(nb, "transpose"))["values"] == [[1, 3], [2, 4]]

    # The deliberate shape error: friendly text for every frontend, the rich bundle for JupyterLab.
    c = cell(nb, "shape-error")
    assert "raises-exception" in c.metadata.tags
    (err,) = [o for o in c.outputs if o.output_type == "error"]
    assert err.ename == "ShapeError"
    text = "\n".join(err.traceback)
    assert "cannot matmul u (shape [1, 2]) with v (shape [1, 2])" in text
    assert "matmul needs u's last dim (2) to equal v's second-to-last dim (1)." in text
    assert "u.matmul(v.T)" in text and "u.T.matmul(v)" in text
    (rich,) = [d[SHAPE_ERROR] for d in bundles(c) if SHAPE_ERROR in d]
    assert [(o["expr"], o["shape"]) for o in rich["operands"]] == [("u", [1, 2]), ("v", [1, 2])]
    md = cell(nb, "shape-error-md").source
    assert "dot_general requires contracting dimensions to have the same shape, got (2,) and (1,)" in md

    assert [t["values"] for t in tensors(cell(nb, "shape-error-fix"))] == [[[11]], [[3, 4], [6, 8]]]

    # %timeit: both lines in IPython's format, broadcasting far faster than the loop over pairs.
    out = stdout(cell(nb, "vectorize"))
    assert "same result: true" in out, out
    units = {"s": 1, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}
    times = [float(v) * units[u] for v, u in re.findall(r"^([\d.]+) (s|ms|µs|ns) ± [\d.]+ (?:s|ms|µs|ns) per loop \(mean ± std\. dev\. of \d+ runs?, [\d,]+ loops? each\)$", out, re.M)]
    assert len(times) == 2, out
    assert times[1] * 20 < times[0], out



def test_01_autodiff():
    nb = execute("01-autodiff")
    check_no_unexpected_errors(nb)

    f = result_tensor(cell(nb, "function"))
    assert (f["dtype"], f["values"]) == ("float32", 8)

    expected = {
        "grad": {"∂f/∂x (2, 3)": 12, "∂f/∂θ (2, 3)": 8 * 0.6931471805599453},
        "backward": {"x.grad": 12, "θ.grad": 8 * 0.6931471805599453},
        "accumulate": {"x.grad, twice": 24, "x.grad, reset": 12},
        "second": {"∂²f/∂x² (2, 3)": 12, "∂³f/∂x³ (2, 3)": 6},
        "friends": {"g'(1.5)": None, "σ'(0.5)": None, "h'(θ=0.5), x=2": None},
        "vmap": {"g'(0)": 0, "g'(1)": None, "g'(2)": None, "g'(3)": None},
        "jacobian": {"∂x/∂r": 0.8660254037844387, "∂x/∂φ": -1, "∂y/∂r": 0.5, "∂y/∂φ": 1.7320508075688772},
        "hessian": {"∂²h/∂x²": 4, "∂²h/∂x∂y": 2, "∂²h/∂y∂x": 2, "∂²h/∂y²": 12},
        "jvp": {"d/dt x(p + tv)": 0.8660254037844387, "d/dt y(p + tv)": 0.5, "(H v)_x": 2, "(H v)_y": 12},
    }
    for cell_id, values in expected.items():
        found = checks(cell(nb, cell_id))
        assert set(found) == set(values), f"{cell_id}: {stdout(cell(nb, cell_id))}"
        for what, value in values.items():
            got, calculus, ok = found[what]
            assert ok, f"{cell_id}: {what}: tsdl {got} vs calculus {calculus}"
            assert approx(got, calculus)
            if value is not None:
                assert approx(calculus, value) and approx(got, value), (what, got, value)

    value = result_text(cell(nb, "value-and-grad"))
    assert "tensor(8." in value and "tensor(12." in value and "tensor(5.5452" in value

    vec = tensors(cell(nb, "vector"))
    assert [t["values"] for t in vec] == [[12, 3, 0, 3, 12]] * 2

    jac = result_tensor(cell(nb, "jacobian"))
    assert jac["shape"] == [2, 2]
    hess = result_tensor(cell(nb, "hessian"))
    assert hess["shape"] == [2, 2]
    for got, want in zip(sum(hess["values"], []), [4, 2, 2, 12]):
        assert approx(got, want), hess["values"]

    w = result_tensor(cell(nb, "descent"))
    assert approx(w["values"], 3, tol=1e-3)


def test_02_mnist_mlp():
    nb = execute("02-mnist-mlp")
    check_no_unexpected_errors(nb)

    out = stdout(cell(nb, "load"))
    assert "[ 8000, 28, 28 ]" in out and "[ 2000, 28, 28 ]" in out

    # The grid of real digits: a PNG of 20 images with their labels.
    digits = cell(nb, "digits")
    (grid,) = [d for d in bundles(digits) if "image/png" in d]
    assert grid["text/plain"].startswith("ImageGrid(20 images of 28x28; labels ")
    labels = re.search(r"labels: ([\d ]+)", stdout(digits))[1].split()
    assert len(labels) == 20 and len(set(labels)) > 5

    assert "101,770 parameters" in bundles(cell(nb, "model"))[0]["text/plain"]
    before = float(re.search(r"loss before training: ([\d.]+)", stdout(cell(nb, "loss")))[1])
    assert 2.0 < before < 2.7

    # One progress bar per epoch, each at 100% with a loss, and the live plot (Vega-Lite + SVG).
    train = bundles(cell(nb, "train"))
    bars = [d["text/plain"] for d in train if d["text/plain"].startswith("epoch ")]
    assert len(bars) == 8, bars
    for i, bar in enumerate(bars, 1):
        assert bar.startswith(f"epoch {i}/8 100% |") and "125/125" in bar and "loss=" in bar, bar
    (chart,) = [d for d in train if VEGALITE in d]
    assert "image/svg+xml" in chart
    points = chart[VEGALITE]["data"]["values"]
    assert {p["metric"] for p in points} == {"training loss", "test accuracy"}
    assert max(p["epoch"] for p in points) == 8

    m = re.search(r"held-out accuracy: ([\d.]+)%", stdout(cell(nb, "accuracy")))
    assert m, stdout(cell(nb, "accuracy"))
    assert float(m[1]) >= 94.0, f"held-out accuracy {m[1]}% < 94%"

    ckpt = stdout(cell(nb, "checkpoint"))
    assert "saved after epoch 8; the resumed model predicts every test digit as the trained one: true" in ckpt, ckpt
    assert "Adam's state, as PyTorch names it: step, exp_avg, exp_avg_sq" in ckpt, ckpt

    (mistakes,) = [d for d in bundles(cell(nb, "mistakes")) if "image/png" in d]
    assert mistakes["text/plain"].startswith("ImageGrid(20 images of 28x28")


def test_03_mnist_convnet():
    nb = execute("03-mnist-convnet")
    check_no_unexpected_errors(nb)

    assert "[ 8000, 1, 28, 28 ]" in stdout(cell(nb, "load")) and "[ 2000, 1, 28, 28 ]" in stdout(cell(nb, "load"))

    # The deliberate mistake: Linear(16 * 7 * 7, 10) after feature maps that flatten to 400.
    c = cell(nb, "wrong")
    assert "raises-exception" in c.metadata.tags
    (err,) = [o for o in c.outputs if o.output_type == "error"]
    assert err.ename == "ShapeError"
    text = "\n".join(err.traceback)
    # Both operands named with their shapes, e.g. "input (shape [64, 400]) with weight (shape [10, 784])".
    assert re.search(r"input\W+(shape )?\[64, 400\]", text) and re.search(r"weight\W+(shape )?\[10, 784\]", text), text
    assert "Linear(784, 10) expects inputs whose last dim is 784, got shape [64, 400]" in text
    assert "broken.forward(batch)" in text
    (rich,) = [d[SHAPE_ERROR] for d in bundles(c) if SHAPE_ERROR in d]
    assert rich["op"] == "linear"
    assert [(o["role"], o["shape"]) for o in rich["operands"]] == [("input", [64, 400]), ("weight", [10, 784])]

    # nn.summary shows the same trace and marks the linear layer that failed.
    table = result_text(cell(nb, "summary"))
    assert re.search(r"layers\.6: Flatten +\[64, 400\]", table), table
    assert re.search(r"layers\.7: Linear +✗ failed here +7,850", table), table
    assert "ShapeError: Linear(784, 10) expects inputs whose last dim is 784, got shape [64, 400]" in table

    # The shape trace, one layer at a time, ends at the 400 features the linear layer must take.
    trace = [line.split(None, 1) for line in stdout(cell(nb, "trace")).splitlines()]
    shapes = [[int(d) for d in re.findall(r"\d+", line[1].split("[", 1)[1])] for line in trace]
    assert shapes == [
        [64, 1, 28, 28], [64, 8, 26, 26], [64, 8, 26, 26], [64, 8, 13, 13],
        [64, 16, 11, 11], [64, 16, 11, 11], [64, 16, 5, 5], [64, 400],
    ], stdout(cell(nb, "trace"))

    model = cell(nb, "model")
    assert "logits: [ 64, 10 ]" in stdout(model)
    assert "5,258 parameters" in result_text(model) and "Linear(in=400, out=10" in result_text(model)

    train = bundles(cell(nb, "train"))
    bars = [d["text/plain"] for d in train if d["text/plain"].startswith("epoch ")]
    assert len(bars) == 3, bars
    for i, bar in enumerate(bars, 1):
        assert bar.startswith(f"epoch {i}/3 100% |") and "125/125" in bar and "loss=" in bar, bar
    (chart,) = [d for d in train if VEGALITE in d]
    assert "image/svg+xml" in chart
    assert {p["metric"] for p in chart[VEGALITE]["data"]["values"]} == {"training loss", "test accuracy"}

    # 96.1% when saved (cpu backend); 95% leaves room for other summation orders and backends.
    m = re.search(r"held-out accuracy: ([\d.]+)%", stdout(cell(nb, "accuracy")))
    assert m, stdout(cell(nb, "accuracy"))
    assert float(m[1]) >= 95.0, f"held-out accuracy {m[1]}% < 95%"

    # Going further: one epoch with BatchNorm2d, its running statistics listed as buffers, and
    # the accuracy in eval mode.
    bn = cell(nb, "bn-model")
    (bar,) = [d["text/plain"] for d in bundles(bn) if d["text/plain"].startswith("BatchNorm, 1 epoch")]
    assert "100%" in bar and "125/125" in bar, bar
    assert stdout(bn).split() == [
        "layers.1.runningMean", "[8]", "layers.1.runningVar", "[8]",
        "layers.5.runningMean", "[16]", "layers.5.runningVar", "[16]",
    ], stdout(bn)
    m = re.search(r"with BatchNorm, after one epoch: ([\d.]+)% held out", stdout(cell(nb, "bn-eval")))
    assert m, stdout(cell(nb, "bn-eval"))
    assert float(m[1]) >= 92.0, f"BatchNorm held-out accuracy {m[1]}% < 92%"


# ---- re-execute and save ----------------------------------------------------------------------


def save(names):
    for name in names:
        nb = execute(name, record_timing=False)
        check_no_unexpected_errors(nb)
        path = NOTEBOOKS / f"{name}.ipynb"
        nbformat.write(nb, path)
        print(f"saved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    save(sys.argv[1:] or NAMES)


def test_04_attention():
    nb = execute("04-attention")
    check_no_unexpected_errors(nb)

    # Attention by hand agrees with the library, and the weights are a heatmap (SVG).
    out = stdout(cell(nb, "attention"))
    assert float(re.search(r"largest difference from the library: ([\d.e-]+)", out)[1]) < 1e-5
    assert "row sums of the weights: 1.000 1.000 1.000" in out
    (hm,) = [d for d in bundles(cell(nb, "attention")) if "image/svg+xml" in d]
    assert hm["text/plain"] == 'Heatmap(3x3, "attention weights")'

    # Three epochs, each with a progress bar at 100%, and the loss chart.
    assert_epochs_charted(cell(nb, "train"), epochs=3, batches=64)

    acc = stdout(cell(nb, "accuracy"))
    digits = float(re.search(r"held-out digits right: +([\d.]+)%", acc)[1])
    assert digits >= 98.0, acc

    # The attention of a trained reverser sits on the anti-diagonal.
    look = cell(nb, "heatmap")
    mirrored = float(re.search(r"average weight on the mirrored position: ([\d.]+)", stdout(look))[1])
    assert mirrored > 0.4, stdout(look)
    assert any(d.get("text/plain", "").startswith("Heatmap(8x8") for d in bundles(look))

    # With a causal mask the first half (which needs later inputs) stays near chance.
    rows = re.findall(r"position (\d) \(needs input \d\): ([\d.]+)% right", stdout(cell(nb, "causal")))
    assert len(rows) == 8, stdout(cell(nb, "causal"))
    first = [float(a) for i, a in rows if int(i) < 4]
    second = [float(a) for i, a in rows if int(i) >= 4]
    assert max(first) < 35 and min(second) > 90, rows


def test_05_autoencoder():
    nb = execute("05-autoencoder")
    check_no_unexpected_errors(nb)

    out = stdout(cell(nb, "load"))
    assert "[ 8000, 1, 28, 28 ]" in out and "[ 500, 1, 28, 28 ]" in out
    (grid,) = [d for d in bundles(cell(nb, "load")) if "image/png" in d]
    assert grid["text/plain"].startswith("ImageGrid(20 images of 28x28")

    shapes = stdout(cell(nb, "model"))
    assert "bottleneck: [ 4, 32, 7, 7 ]" in shapes and "(1568 numbers per image)" in shapes
    assert "rebuilt:    [ 4, 1, 28, 28 ]" in shapes

    assert_epochs_charted(cell(nb, "train"), epochs=3, batches=125)

    res = stdout(cell(nb, "result"))
    noisy = float(re.search(r"noisy inputs: +([\d.]+)", res)[1])
    denoised = float(re.search(r"denoised: +([\d.]+)", res)[1])
    assert denoised < noisy / 4, res
    (after,) = [d for d in bundles(cell(nb, "result")) if "image/png" in d]
    assert after["text/plain"].startswith("ImageGrid(30 images of 28x28")



def layer_rows(c):
    """The per-layer table `report` prints: [(activation std, saturated %, gradient std)]."""
    rows = re.findall(r"tanh (\d) +([\d.]+) +([\d.]+)% +([\d.e+-]+)", stdout(c))
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5], stdout(c)
    return [(float(a), float(s), float(g)) for _, a, s, g in rows]


def test_06_inside_the_network():
    nb = execute("06-inside-the-network")
    check_no_unexpected_errors(nb)

    assert "Linear   [256, 100]" in result_text(cell(nb, "net")) and "119,910" in result_text(cell(nb, "net"))

    # PyTorch's default init: activations narrow and gradients shrink towards the input.
    default = layer_rows(cell(nb, "default"))
    assert default[0][0] > 3 * default[4][0] and default[4][2] > 5 * default[0][2], default
    (hist,) = [d for d in bundles(cell(nb, "default")) if "image/svg+xml" in d]
    assert hist["text/plain"].startswith('Histogram "activations, PyTorch\'s default init", 40 bins\ntanh 1: n=25600 ')

    # N(0, 1): most units saturated, and a loss far above ln 10.
    big = cell(nb, "big")
    assert all(s > 70 for _, s, _ in layer_rows(big)), layer_rows(big)
    assert float(re.search(r"loss on the batch: ([\d.]+)", stdout(big))[1]) > 5

    # N(0, 0.01²): activations die out and the first layer's gradients are 1000x smaller.
    small = layer_rows(cell(nb, "small"))
    assert small[4][0] < 1e-3 and small[4][2] > 1000 * small[0][2], small

    # Xavier with tanh's gain: steady spread, gradients within a factor of 2 across layers.
    good = layer_rows(cell(nb, "xavier"))
    assert all(0.5 < a < 0.9 for a, _, _ in good), good
    grads = [g for _, _, g in good]
    assert max(grads) < 2 * min(grads), good
    (gh,) = [d for d in bundles(cell(nb, "xavier-grads")) if "image/svg+xml" in d]
    assert gh["text/plain"].count("n=25600") == 5

    # Training from each start: Xavier best, the default next, the tiny init stuck at ln 10.
    final = dict(re.findall(r"^(.+?) +loss after 2 epochs: ([\d.]+)$", stdout(cell(nb, "train")), re.M))
    final = {k: float(v) for k, v in final.items()}
    assert set(final) == {"PyTorch default", "N(0, 1)", "N(0, 0.01²)", "Xavier, tanh gain"}, final
    assert final["Xavier, tanh gain"] < 0.4 and final["Xavier, tanh gain"] < final["PyTorch default"] < final["N(0, 1)"], final
    assert final["N(0, 0.01²)"] > 2.2, final
    train = bundles(cell(nb, "train"))
    bars = [d["text/plain"] for d in train if "epoch " in d["text/plain"] and "100%" in d["text/plain"]]
    assert len(bars) == 8 and all("125/125" in b for b in bars), bars
    (chart,) = [d for d in train if VEGALITE in d]
    assert {p["metric"] for p in chart[VEGALITE]["data"]["values"]} == set(final)



def test_07_linear_algebra():
    nb = execute("07-linear-algebra")
    check_no_unexpected_errors(nb)

    (pts,) = [d for d in bundles(cell(nb, "data")) if VEGALITE in d]
    assert pts["text/plain"].endswith("40 points)") and "image/svg+xml" in pts

    # Least squares finds the coefficients of 2 + 3x - 0.5x² within the noise.
    fit = dict(re.findall(r"(w\d) = (-?[\d.]+)", stdout(cell(nb, "lstsq"))))
    for name, true in [("w0", 2), ("w1", 3), ("w2", -0.5)]:
        assert abs(float(fit[name]) - true) < 0.15, fit
    assert float(re.search(r"error of the fit: ([\d.]+)", stdout(cell(nb, "lstsq")))[1]) < 0.4

    # The normal equations agree, and square the condition number.
    normal = stdout(cell(nb, "normal"))
    assert float(re.search(r"largest difference from lstsq: ([\d.e+-]+)", normal)[1]) < 1e-4, normal
    c1, c2 = map(float, re.search(r"cond\(X\) = ([\d.]+),  cond\(XᵀX\) = ([\d.]+)", normal).groups())
    assert abs(c2 - c1 * c1) < 0.05 * c2, normal

    # Iris: the known variance shares of the standardized data, 73.0 / 22.9 / 3.7 / 0.5 %.
    shares = [float(v) for v in re.findall(r"component \d: ([\d.]+)%", stdout(cell(nb, "pca")))]
    assert len(shares) == 4 and abs(shares[0] - 73.0) < 0.3 and abs(shares[1] - 22.9) < 0.3, shares
    (plot,) = [d for d in bundles(cell(nb, "pca-plot")) if VEGALITE in d]
    assert plot["text/plain"].endswith("150 points, 3 groups: virginica, versicolor, setosa)")
    groups = {p["group"] for p in plot[VEGALITE]["data"]["values"]}
    assert groups == {"setosa", "versicolor", "virginica"}

    # svd and eigh give the same variances.
    for svd, eigh in re.findall(r"svd ([\d.]+) +eigh ([\d.]+)", stdout(cell(nb, "svd"))):
        assert abs(float(svd) - float(eigh)) < 1e-3, stdout(cell(nb, "svd"))

    # Eigen-digits: the variance kept grows with k; reconstructions improve.
    kept = [float(v) for v in re.findall(r"components keep ([\d.]+)%", stdout(cell(nb, "digits")))]
    assert len(kept) == 4 and kept == sorted(kept) and 85 < kept[3] < 99, kept
    assert any(d.get("text/plain", "").startswith("ImageGrid(8 images of 14x14") for d in bundles(cell(nb, "digits")))
    (digits,) = [d for d in bundles(cell(nb, "digits-plot")) if VEGALITE in d]
    assert "2000 points, 10 groups: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9" in digits["text/plain"]
    errors = [float(v) for v in re.findall(r"mean squared error per pixel ([\d.]+)", stdout(cell(nb, "rebuild")))]
    assert len(errors) == 3 and errors[0] > errors[1] > errors[2], errors


def test_08_segmentation():
    nb = execute("08-segmentation")
    check_no_unexpected_errors(nb)

    out = stdout(cell(nb, "data"))
    assert "images: [ 8, 1, 32, 32 ]  masks: [ 8, 32, 32 ] int32" in out, out
    assert any(d.get("text/plain", "") == "ImageGrid(16 images of 32x32)" for d in bundles(cell(nb, "data")))

    table = result_text(cell(nb, "model"))
    assert re.search(r"UNet +\[8, 3, 32, 32\] +30,275", table), table
    assert re.search(r"bottom\.layers\.3: Upsample +\[8, 32, 16, 16\]", table), table

    assert_epochs_charted(cell(nb, "train"), epochs=4, batches=63)

    # Shape, not brightness, tells circle from square: both well above chance after 4 epochs
    # (0.889 and 0.811 when saved).
    iou = {name: float(v) for name, v in re.findall(r"^(\w+) +IoU ([\d.]+)$", stdout(cell(nb, "eval")), re.M)}
    assert iou["background"] > 0.98 and iou["circle"] > 0.7 and iou["square"] > 0.6, iou
    assert any(d.get("text/plain", "") == "ImageGrid(24 images of 32x32)" for d in bundles(cell(nb, "eval")))
