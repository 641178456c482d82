"""A clean Python environment for the Jupyter-side tests (test_bootstrap.py, test_postbuild.py).

This project's .venv may hold a tsdl kernelspec and labextension in its share/jupyter (`npm start`
puts them there), and Jupyter always searches its own environment's share/jupyter. So the tests
run Jupyter from a throwaway venv whose prefix holds no kernelspecs or extensions and which imports
.venv's packages through a .pth file, with a fresh HOME and no Jupyter/XDG overrides.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_python(where: Path, tools=("jupyter", "jupyter-kernelspec")) -> Path:
    """A venv with no kernelspecs in its prefix that imports .venv's packages; the console
    scripts named in `tools` (copied from .venv's bin/) run with it. `jupyter SUB` finds
    `jupyter-SUB` next to itself, so every subcommand a test runs must be in `tools`."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    py = where / "bin" / "python"
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # addsitedir (not a bare path) so that .venv's own .pth files are processed too.
    Path(site, "tsdl-test-venv.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    for tool in tools:
        script = shutil.which(tool, path=str(Path(sys.executable).parent))
        assert script, f"{tool} is missing from {Path(sys.executable).parent}"
        body = Path(script).read_text().split("\n", 1)[1]
        (where / "bin" / tool).write_text(f"#!{py}\n{body}")
        (where / "bin" / tool).chmod(0o755)
    return py


def fresh_env(home: Path, venv: Path) -> dict:
    """The environment of a new user: HOME is empty, no Jupyter or XDG overrides, no active
    project venv, the clean venv first on PATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "XDG_", "TSDL_")) and k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH")}
    project_bins = {str(ROOT / ".venv" / "bin"), str(Path(sys.executable).parent)}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p not in project_bins]
    env.update(HOME=str(home), PATH=os.pathsep.join([str(venv / "bin"), *path]), PYTHONNOUSERSITE="1")
    return env


def kernelspecs(env) -> dict:
    out = subprocess.run(["jupyter", "kernelspec", "list", "--json"], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["kernelspecs"]
