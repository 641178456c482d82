"""Binder / repo2docker's binder/postBuild run for real, and what JupyterHub users of that
environment then see: the `--sys-prefix` install.

    .venv/bin/python -m pytest test/notebooks/test_postbuild.py

1. A fresh clone of this repository (its committed HEAD: uncommitted changes are not tested)
   and a fresh environment prefix with an empty HOME and no JUPYTER_* / XDG_* variables.
   repo2docker builds a conda environment from environment.yml; conda (and conda-forge) is not
   available where the tests run, so a throwaway venv stands in for that prefix: it holds no
   kernelspecs or extensions, imports .venv's packages (jupyterlab, the pin environment.yml
   names) through a .pth file, and has its own `jupyter` scripts in bin/ (envs.py). One
   difference: JupyterLab's application directory (settings, the core build) is still .venv's
   share/jupyter/lab, found next to the jupyterlab module; kernelspecs and prebuilt extensions
   are searched in the prefix's share/jupyter, as in a conda environment.
2. `bash binder/postBuild` in the clone with the prefix's bin/ first on PATH, as repo2docker
   runs it: `npm ci`, `npm run build` (including `jupyter labextension build`, with the
   prefix's jupyter) and `tsdl install --sys-prefix`. npm's cache is the user's real one, so
   `npm ci` does not download the packages again.
3. The prefix's share/jupyter holds the kernelspec and the prebuilt extension, and the prefix's
   `jupyter kernelspec list` / `jupyter labextension list` see them with nothing in HOME: what
   every user of a JupyterHub environment gets.
4. `jupyter lab` started from the prefix: its REST API lists the tsdl kernelspec, the lab page
   loads the tsdl extension, and a tsdl kernel started through the API runs a cell over the
   kernel's websocket; the server is then shut down through the API.

Takes about 1.5 minutes on 2 cores, most of it `npm ci` (~40 s) and the build.
"""

import asyncio
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from envs import ROOT, clean_python, fresh_env, kernelspecs

# Every Jupyter command .venv has, as a conda environment with jupyterlab has them (`jupyter
# labextension build`, for one, runs `jupyter-builder` from PATH).
TOOLS = tuple(sorted(p.name for p in Path(sys.executable).parent.glob("jupyter*")))
EXTENSION = json.loads((ROOT / "labextension" / "package.json").read_text())["name"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, cwd=None, timeout=120) -> str:
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{cmd} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return p.stdout + p.stderr


class Server:
    """A `jupyter lab` started from the prefix, spoken to over HTTP with its token."""

    def __init__(self, env, notebook_dir: Path, log: Path):
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc = subprocess.Popen(
            ["jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             f"--IdentityProvider.token={self.token}", f"--notebook-dir={notebook_dir}",
             # containers and CI machines often run as root (as scripts/start.sh does)
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            env=env, cwd=notebook_dir, stdout=log.open("w"), stderr=subprocess.STDOUT)

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
        return json.loads(text) if r.headers.get_content_type() == "application/json" and text else text

    def wait_ready(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.proc.poll() is None, f"jupyter lab exited ({self.proc.returncode}):\n{self.log.read_text()}"
            try:
                return self.request("GET", f"/api/status?token={self.token}")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        raise AssertionError(f"jupyter lab did not answer in {timeout} s:\n{self.log.read_text()}")

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.request("POST", "/api/shutdown")
            except Exception:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()


async def execute_over_websocket(server: Server, kernel_id: str, code: str, timeout=120) -> list:
    """Sends one execute_request on the kernel's channels websocket (the server's default JSON
    protocol) and returns the messages answering it, up to the kernel going idle."""
    from jupyter_server.services.kernels.connection.base import deserialize_binary_message
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {server.token}"}))
    try:
        msg_id, session = uuid.uuid4().hex, uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request",
                       "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        replies, replied, idle = [], False, False
        end = time.monotonic() + timeout
        while not (replied and idle):
            raw = await asyncio.wait_for(ws.read_message(), max(0.1, end - time.monotonic()))
            assert raw is not None, f"the websocket closed; received so far: {replies}"
            msg = json.loads(raw) if isinstance(raw, str) else deserialize_binary_message(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            replies.append(msg)
            t = msg["header"]["msg_type"]
            replied |= t == "execute_reply"
            idle |= t == "status" and msg["content"]["execution_state"] == "idle"
        return replies
    finally:
        ws.close()


def test_postbuild_installs_tsdl_for_every_user_of_the_prefix(tmp_path):
    npm_cache = os.environ.get("npm_config_cache") or str(Path.home() / ".npm")
    clone, home, prefix = tmp_path / "repo", tmp_path / "home", tmp_path / "prefix"
    home.mkdir()
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    clean_python(prefix, TOOLS)
    env = fresh_env(home, prefix)

    # A new environment: Jupyter there knows no tsdl.
    assert "tsdl" not in kernelspecs(env)

    # 2. postBuild, as repo2docker runs it.
    build_env = {**env, "npm_config_cache": npm_cache}
    t0 = time.monotonic()
    p = subprocess.run(["bash", "binder/postBuild"], cwd=clone, env=build_env, capture_output=True, text=True, timeout=900)
    build_s = time.monotonic() - t0
    log = p.stdout + p.stderr
    print(f"binder/postBuild took {build_s:.0f} s")
    (tmp_path / "postBuild.log").write_text(log)
    assert p.returncode == 0, f"binder/postBuild failed ({p.returncode}):\n{log[-8000:]}"
    data = prefix / "share" / "jupyter"
    assert "installed kernelspec tsdl" in log and str(data / "kernels" / "tsdl") in log, log[-4000:]
    assert f"installed the JupyterLab extension {EXTENSION}" in log, log[-4000:]

    # 3. The kernelspec and the extension are in the prefix (nothing in HOME) and Jupyter sees them.
    spec = json.loads((data / "kernels" / "tsdl" / "kernel.json").read_text())
    assert spec["argv"][1:] == [str(clone / "kernel" / "dist" / "src" / "cli.js"), "kernel", "{connection_file}"], spec
    assert Path(spec["argv"][0]).name == "node" and os.access(spec["argv"][0], os.X_OK), spec
    assert spec["display_name"] == "TypeScript (tsdl)" and spec["language"] == "typescript", spec
    ext_dir = data / "labextensions" / EXTENSION
    assert (ext_dir / "package.json").exists() and any((ext_dir / "static").glob("remoteEntry.*.js")), ext_dir
    user_data = home / ".local" / "share" / "jupyter"
    assert not (user_data / "kernels").exists() and not (user_data / "labextensions").exists(), list(home.rglob("*"))

    specs = kernelspecs(env)
    assert "tsdl" in specs, specs
    assert Path(specs["tsdl"]["resource_dir"]).resolve() == (data / "kernels" / "tsdl").resolve(), specs["tsdl"]

    listing = re.sub(r"\x1b\[[0-9;]*m", "", run(["jupyter", "labextension", "list"], env))  # no colours
    # "        @tsdl/labextension v0.1.0 enabled OK" under "<prefix>/share/jupyter/labextensions".
    section = listing.split(str(data / "labextensions"), 1)
    assert len(section) == 2, listing
    assert re.search(rf"^\s*{re.escape(EXTENSION)} v\S+ enabled\s+OK\b", section[1].split("\n\n")[0], re.M), listing

    # 4. jupyter lab from the prefix.
    server = Server(env, clone / "notebooks", tmp_path / "jupyter-lab.log")
    try:
        status = server.wait_ready()
        assert "started" in status, status
        ks = server.request("GET", "/api/kernelspecs")
        assert "tsdl" in ks["kernelspecs"], ks
        assert ks["kernelspecs"]["tsdl"]["spec"]["display_name"] == "TypeScript (tsdl)", ks["kernelspecs"]["tsdl"]

        page = server.request("GET", "/lab")
        m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
        assert m, page[:2000]
        federated = {e["name"]: e for e in json.loads(m.group(1))["federated_extensions"]}
        assert EXTENSION in federated, sorted(federated)
        assert federated[EXTENSION]["load"].startswith("static/remoteEntry."), federated[EXTENSION]

        kernel = server.request("POST", "/api/kernels", {"name": "tsdl"})
        assert kernel["name"] == "tsdl", kernel
        replies = asyncio.run(execute_over_websocket(server, kernel["id"], "tensor([[1, 2]]).matmul(tensor([[3], [4]]))"))
        by_type = {}
        for r in replies:
            by_type.setdefault(r["header"]["msg_type"], []).append(r["content"])
        assert by_type["execute_reply"][0]["status"] == "ok", replies
        (result,) = by_type.get("execute_result", [None])
        assert result and "[[11]]" in result["data"]["text/plain"], replies
        server.request("DELETE", f"/api/kernels/{kernel['id']}")
    finally:
        server.stop()
    assert server.proc.returncode == 0, f"jupyter lab exited with {server.proc.returncode}:\n{server.log.read_text()}"
