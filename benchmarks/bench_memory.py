"""Memory of the lessons as Binder counts it: the Python notebooks open at once, plus the server.

Starts a JupyterLab server on 127.0.0.1 (as Binder runs it), then one ipykernel per notebook,
one after another, each executing its notebook top to bottom and then left running, as a
student who opens the lessons in turn leaves them. A sampler records each kernel's peak while
it runs. At the end, with all five kernels idle and alive, it prints each process and the
totals.

What is counted:

- **PSS** (``psutil.Process(pid).memory_full_info().pss``): private pages plus each shared
  page divided by the number of processes mapping it. Summed over processes, a shared library
  counts once, as in a container's memory cgroup. On a machine where *other* processes map the
  same files (other Python jobs from the same virtualenv), part of the shared pages is charged
  to them, so the PSS sum reads low.
- **Container estimate**: every process's private pages plus, for each mapped file, the largest
  shared resident size any of our processes has of it. This does not depend on other processes
  and is the figure to hold against Binder's 2 GB.
- **USS**: private pages only, a lower bound.

Run (from the repository root; the notebooks write their digits next to a copy of themselves
in a temporary folder):
    PYTHONPATH=$PWD python benchmarks/bench_memory.py
    PYTHONPATH=$PWD python benchmarks/bench_memory.py notebooks/02-augmentation-explorer.ipynb
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


@dataclass
class Sample:
    pss: int = 0
    uss: int = 0
    rss: int = 0
    private: int = 0
    shared_by_file: dict[str, int] = field(default_factory=dict)


def sample(pid: int, *, maps: bool = False) -> Sample:
    """One reading of a process (and its children, e.g. a kernel's helper processes)."""
    total = Sample()
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return total
    for process in processes:
        try:
            info = process.memory_full_info()
            total.pss += info.pss
            total.uss += info.uss
            total.rss += info.rss
            if maps:
                for region in process.memory_maps(grouped=True):
                    total.private += region.private_clean + region.private_dirty
                    shared = region.shared_clean + region.shared_dirty
                    if shared and region.path.startswith("/"):
                        total.shared_by_file[region.path] = max(
                            total.shared_by_file.get(region.path, 0), shared)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


class PeakSampler:
    """Samples a process tree every ``interval`` seconds in a thread; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            reading = sample(self.pid)
            self.peak_pss = max(self.peak_pss, reading.pss)
            self.peak_rss = max(self.peak_rss, reading.rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(directory: Path, env: dict[str, str]) -> subprocess.Popen:
    """JupyterLab on a free port of 127.0.0.1, up and answering, with no token (local only)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--allow-root",
         f"--ServerApp.root_dir={directory}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2)
            # Load the app page once, as a browser does, so its templates and assets are read.
            urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=10).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("JupyterLab did not start within 60 s")


def run_notebook(path: Path, env: dict[str, str]):
    """Executes ``path`` in a new kernel and leaves the kernel running; returns (km, peak)."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(path.parent), env=env)
    pid = km.provisioner.process.pid
    started = time.perf_counter()
    with PeakSampler(pid) as peak:
        client = NotebookClient(nb, km=km, timeout=900, allow_errors=False,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    return km, pid, peak, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to open, in order (default: notebooks/0*.ipynb)")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("0*.ipynb"))
    import nbformat

    python = [nb for nb in notebooks
              if nbformat.read(nb, as_version=4).metadata.get("kernelspec", {}).get(
                  "language", "python") == "python"]
    for skipped in sorted(set(notebooks) - set(python)):
        print(f"{skipped.name}: not a Python notebook, left out")
    notebooks = python

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    work = Path(tempfile.mkdtemp(prefix="augwidgets-memory-"))
    kernels = []
    server = None
    try:
        for notebook in notebooks:
            shutil.copy(notebook, work / notebook.name)
        server = start_server(work, env)
        server_start = sample(server.pid)
        print(f"JupyterLab server up: PSS {server_start.pss / MB:.0f} MB")
        for notebook in notebooks:
            km, pid, peak, seconds = run_notebook(work / notebook.name, env)
            modules = km.client()
            modules.start_channels()
            reply = modules.execute_interactive(
                "import sys; print(sorted(m for m in ('tensorflow', 'jax', 'torch', 'keras') "
                "if m in sys.modules))", timeout=60, output_hook=lambda msg: loaded.append(msg))
            del reply
            modules.stop_channels()
            kernels.append((notebook.name, km, pid, peak, seconds))
            print(f"{notebook.name}: ran in {seconds:.0f} s, peak PSS {peak.peak_pss / MB:.0f} MB "
                  f"(RSS {peak.peak_rss / MB:.0f} MB); frameworks loaded: {_last_stdout()}")

        time.sleep(2)  # let the kernels settle to idle
        rows = [("server (JupyterLab)", server.pid, None)] + [
            (name, pid, peak) for name, _, pid, peak, _ in kernels]
        readings = [(name, sample(pid, maps=True), peak) for name, pid, peak in rows]
        print()
        print("all open at once, idle:")
        print(f"{'process':<34} {'peak PSS':>9} {'PSS':>7} {'USS':>7} {'RSS':>7}")
        for name, reading, peak in readings:
            peak_text = f"{peak.peak_pss / MB:>9.0f}" if peak else f"{'-':>9}"
            print(f"{name:<34} {peak_text} {reading.pss / MB:>7.0f} {reading.uss / MB:>7.0f} "
                  f"{reading.rss / MB:>7.0f}")
        pss = sum(r.pss for _, r, _ in readings)
        uss = sum(r.uss for _, r, _ in readings)
        shared: dict[str, int] = {}
        for _, reading, _ in readings:
            for path, size in reading.shared_by_file.items():
                shared[path] = max(shared.get(path, 0), size)
        estimate = sum(r.private for _, r, _ in readings) + sum(shared.values())
        # The worst moment: a kernel at its peak while the server and the kernels opened
        # before it sit idle (they run one after another).
        idle = [reading.pss for _, reading, _ in readings]
        peak_sum = max((sum(idle[:i + 1]) + kernel[3].peak_pss
                        for i, kernel in enumerate(kernels)), default=pss)
        print(f"{'total':<34} {peak_sum / MB:>9.0f} {pss / MB:>7.0f} {uss / MB:>7.0f}")
        print(f"container estimate (private + shared files once): {estimate / MB:.0f} MB "
              f"of Binder's 2048 MB")
    finally:
        for _, km, *_ in kernels:
            km.shutdown_kernel(now=True)
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


loaded: list[dict] = []


def _last_stdout() -> str:
    for message in reversed(loaded):
        if message.get("msg_type") == "stream":
            return message["content"]["text"].strip()
    return "?"


if __name__ == "__main__":
    main()
