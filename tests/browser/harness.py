"""Harness for driving JupyterLab, Notebook 7 and Voila in Debian's Chromium with Playwright.

Shared by the browser test suite (``tests/browser``) and the latency benchmark
(``benchmarks/bench_browser_latency.py``). It starts servers on free ports in an isolated
temporary Jupyter environment, opens fresh notebook copies, and waits on real page
conditions (status bar text, cell prompts, image ``src`` mutations), never on sleeps.

The facts this is built on are in ``/work/shared/JUPYTER-TESTING.md``: wait for the status
bar's ``Python 3 (ipykernel) | Idle`` (not the execution indicator), turn on
``autoStartDefaultKernel`` and turn off news, give waits generous timeouts, use a unique
notebook copy per test and delete its session afterwards, and screenshot elements.

Example:
    >>> env = JupyterEnvironment.create(tmp_path)                       # doctest: +SKIP
    >>> with start_lab(env) as lab:                                     # doctest: +SKIP
    ...     name = env.copy_notebook(Path("notebooks/02-x.ipynb"))
    ...     page = browser.new_page()
    ...     open_notebook(page, lab.url, name)
    ...     run_all_cells(page)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("AUGWIDGETS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KERNEL_DISPLAY_NAME = "Python 3 (ipykernel)"
# Generous: the first kernel start, and `import tensorflow` (about 5 s), happen under these.
SERVER_START_TIMEOUT_S = 60.0
KERNEL_IDLE_TIMEOUT_MS = 90_000
RUN_ALL_TIMEOUT_MS = 150_000
WIDGET_TIMEOUT_MS = 30_000

# Settings that keep JupyterLab from blocking Run All with a kernel dialog or covering the
# page with a news popup (pitfall 2), applied through the app settings overrides.json.
LAB_SETTINGS_OVERRIDES = {
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

WIDGET_ERROR_TEXTS = ("Error displaying widget", "Loading widget")


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that was free a moment ago.

    Example:
        >>> 1024 < free_port() < 65536
        True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_notebook_copy(source: Path, destination: Path) -> Path:
    """Copies a notebook without outputs, execution counts or blank code cells.

    A clean copy makes "every code cell shows ``[n]:``" a reliable sign that Run All has
    finished, and means a widget can only be present if this run created it.

    Example:
        >>> clean_notebook_copy(Path("nb.ipynb"), tmp / "nb-1.ipynb")  # doctest: +SKIP
    """
    notebook = json.loads(Path(source).read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        text = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "code":
            if not text.strip():
                continue
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    notebook["cells"] = cells
    notebook.setdefault("metadata", {})["kernelspec"] = {
        "name": "python3",
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
    }
    notebook["metadata"].pop("widgets", None)
    Path(destination).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return Path(destination)


@dataclass
class JupyterEnvironment:
    """An isolated Jupyter configuration under one temporary directory.

    It holds the served notebooks (``root``), a ``python3`` kernelspec that runs this
    interpreter (so the page's kernel has ipywidgets and augwidgets whatever else is on the
    Jupyter path), JupyterLab settings overrides, and empty user settings and workspaces.

    Example:
        >>> env = JupyterEnvironment.create(tmp_path)                   # doctest: +SKIP
        >>> env.copy_notebook(Path("notebooks/02-augmentation-explorer.ipynb"))
        '02-augmentation-explorer-1.ipynb'
    """

    base: Path
    root: Path
    copies: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, base: Path) -> JupyterEnvironment:
        base = Path(base)
        root = base / "notebooks"
        root.mkdir(parents=True, exist_ok=True)
        kernel_dir = base / "jupyter_path" / "kernels" / "python3"
        kernel_dir.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": KERNEL_DISPLAY_NAME,
            "language": "python",
            "metadata": {"debugger": False},
        }
        (kernel_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        settings = base / "lab_settings"
        settings.mkdir(exist_ok=True)
        (settings / "overrides.json").write_text(
            json.dumps(LAB_SETTINGS_OVERRIDES, indent=1), encoding="utf-8"
        )
        for name in ("lab_user_settings", "lab_workspaces", "runtime", "config", "data"):
            (base / name).mkdir(exist_ok=True)
        return cls(base=base, root=root)

    def process_env(self) -> dict[str, str]:
        """Environment variables for a server process started in this environment."""
        env = dict(os.environ)
        python_path = [str(REPO_ROOT)]
        if env.get("PYTHONPATH"):
            python_path.append(env["PYTHONPATH"])
        env.update(
            {
                "PYTHONPATH": os.pathsep.join(python_path),
                # JUPYTER_PATH comes first in the data path, so our kernelspec wins.
                "JUPYTER_PATH": str(self.base / "jupyter_path"),
                "JUPYTER_CONFIG_DIR": str(self.base / "config"),
                "JUPYTER_RUNTIME_DIR": str(self.base / "runtime"),
                "JUPYTERLAB_SETTINGS_DIR": str(self.base / "lab_user_settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(self.base / "lab_workspaces"),
                "TF_CPP_MIN_LOG_LEVEL": "3",
                "PYTHONHASHSEED": "0",
                "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            }
        )
        env.update(self.extra_env)
        return env

    def copy_notebook(self, source: Path, *, stem: str | None = None) -> str:
        """Writes a fresh, uniquely named clean copy of ``source`` and returns its name."""
        self.copies += 1
        stem = stem or Path(source).stem
        name = f"{stem}-{self.copies}.ipynb"
        clean_notebook_copy(Path(source), self.root / name)
        return name


class Server:
    """A Jupyter server process, stopped by its PID (and its process group) at the end.

    Example:
        >>> with start_lab(env) as lab:                                  # doctest: +SKIP
        ...     print(lab.url)
    """

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        port: int,
        cwd: Path,
        log_path: Path,
        ready_path: str = "/api/status",
    ) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ready_path = ready_path
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ready(self, timeout_s: float = SERVER_START_TIMEOUT_S) -> None:
        """Polls the server's HTTP endpoint until it answers (or the process dies)."""
        deadline = time.monotonic() + timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answered (Voila has no status endpoint; a 404 says it is up)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                last_error = error
            time.sleep(0.2)  # polling interval for a real condition, not synchronisation
        raise TimeoutError(
            f"{self.name} not ready after {timeout_s} s ({last_error}):\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def api(self, method: str, path: str) -> object:
        """Calls the server's REST API (XSRF checks are off in this test environment)."""
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def delete_sessions(self, path_contains: str | None = None) -> int:
        """Deletes sessions (and so shuts their kernels down); returns how many."""
        deleted = 0
        for session in self.api("GET", "/api/sessions") or []:
            if path_contains is None or path_contains in session.get("path", ""):
                self.api("DELETE", f"/api/sessions/{session['id']}")
                deleted += 1
        return deleted

    def stop(self) -> None:
        """Stops the server by PID: SIGTERM (it shuts its kernels down), then SIGKILL."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # Anything the server left behind in its own process group (an orphaned kernel).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _launch(name: str, env: JupyterEnvironment, port: int, command: list[str],
            ready_path: str = "/api/status") -> Server:
    """Starts ``command`` as a ``Server`` and returns once it answers (stopped if it never does)."""
    server = Server(name, [sys.executable, "-m", *command], env.process_env(), port, env.root,
                    env.base / f"{name}-{port}.log", ready_path=ready_path)
    try:
        server.wait_until_ready()
    except BaseException:
        server.stop()
        raise
    return server


def _jupyter_server_flags(env: JupyterEnvironment, port: int, app: str) -> list[str]:
    """Test-only Jupyter Server flags: loopback, no token, isolated settings for ``app``."""
    return [
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={env.root}",
        "--allow-root",
        f"--{app}.app_settings_dir={env.base / 'lab_settings'}",
        f"--{app}.user_settings_dir={env.base / 'lab_user_settings'}",
        f"--{app}.workspaces_dir={env.base / 'lab_workspaces'}",
    ]


def start_lab(env: JupyterEnvironment) -> Server:
    """Starts JupyterLab on a free port serving ``env.root``; returns once it answers."""
    port = free_port()
    return _launch("jupyterlab", env, port, [
        "jupyterlab", *_jupyter_server_flags(env, port, "LabApp"),
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ])


def start_notebook7(env: JupyterEnvironment) -> Server:
    """Starts Notebook 7 on a free port serving ``env.root``; returns once it answers.

    Notebook 7 is a Jupyter Server app built on JupyterLab's components: it reads the same
    settings ``overrides.json`` (kernel auto-start, no news) from ``app_settings_dir``. It has
    no status bar, so the app is exposed as ``window.jupyterapp`` for the kernel-idle wait.

    Example:
        >>> with start_notebook7(env) as nb:                             # doctest: +SKIP
        ...     open_notebook7(page, nb.url, name)
    """
    port = free_port()
    return _launch("notebook7", env, port, [
        "notebook", *_jupyter_server_flags(env, port, "JupyterNotebookApp"),
        "--JupyterNotebookApp.expose_app_in_browser=True",
    ])


def start_voila(env: JupyterEnvironment, notebook_name: str) -> Server:
    """Starts Voila for one notebook in ``env.root`` on a free port."""
    port = free_port()
    return _launch("voila", env, port, [
        "voila", notebook_name, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
        "--Voila.open_browser=False", "--ServerApp.port_retries=0",
    ], ready_path="/favicon.ico")


# --------------------------------------------------------------------------- browser side


@dataclass
class ConsoleLog:
    """Console errors and uncaught page exceptions seen by one page.

    Example:
        >>> log = ConsoleLog.attach(page)                                # doctest: +SKIP
        >>> assert not log.widget_errors(), log.widget_errors()
    """

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page) -> ConsoleLog:
        log = cls()

        def on_console(message) -> None:
            if message.type == "error":
                log.errors.append(message.text)
            elif message.type == "warning":
                log.warnings.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: log.errors.append(f"pageerror: {error}"))
        return log

    def widget_errors(self) -> list[str]:
        """Errors that come from widgets: their models, views, comms or the manager."""
        pattern = re.compile(r"widget|comm|model|jupyter-widgets|ipywidgets|augwidgets", re.I)
        return [text for text in self.errors if pattern.search(text)]


def launch_chromium(playwright, *, executable: str = CHROMIUM):
    """Launches Debian's Chromium (never a Playwright-downloaded browser)."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


def open_notebook(page, base_url: str, name: str) -> None:
    """Opens ``name`` in JupyterLab with a reset workspace and waits for its kernel."""
    page.goto(f"{base_url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
    page.locator(".jp-Notebook").first.wait_for(state="visible", timeout=KERNEL_IDLE_TIMEOUT_MS)
    wait_kernel_idle(page)


def open_notebook7(page, base_url: str, name: str) -> None:
    """Opens ``name`` in Notebook 7 (``/notebooks/<name>``) and waits for its kernel."""
    page.goto(f"{base_url}/notebooks/{name}", wait_until="domcontentloaded")
    page.locator(".jp-Notebook").first.wait_for(state="visible", timeout=KERNEL_IDLE_TIMEOUT_MS)
    wait_kernel_idle(page)


# Notebook 7 has no status bar, and its toolbar's execution indicator reads idle before any
# kernel exists (pitfall 1). Its app (``window.jupyterapp``, see start_notebook7) knows: the
# notebook's session has a kernel of our spec, connected and idle.
_NOTEBOOK7_KERNEL_IDLE_JS = """
(displayName) => {
  const widget = window.jupyterapp?.shell?.currentWidget;
  const context = widget?.sessionContext;
  const kernel = context?.session?.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected'
      && context.kernelDisplayName === displayName;
}
"""


def wait_kernel_idle(page, timeout_ms: int = KERNEL_IDLE_TIMEOUT_MS) -> None:
    """Waits until the notebook's kernel is really idle (pitfall 1).

    JupyterLab: the status bar reads ``Python 3 (ipykernel) | Idle``. Notebook 7 (the page
    exposes ``window.jupyterapp``): its session's kernel is connected and idle.
    """
    if page.evaluate("() => !!window.jupyterapp"):
        page.wait_for_function(
            _NOTEBOOK7_KERNEL_IDLE_JS, arg=KERNEL_DISPLAY_NAME, timeout=timeout_ms, polling=100
        )
        return
    page.locator("#jp-main-statusbar").get_by_text(
        f"{KERNEL_DISPLAY_NAME} | Idle", exact=True
    ).wait_for(state="visible", timeout=timeout_ms)


_RUN_STATE_JS = """
() => {
  const notebook = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')
    || document.querySelector('.jp-Notebook');
  if (!notebook) return null;
  const cells = [...notebook.querySelectorAll('.jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim());
  const error = notebook.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  const traceback = [...notebook.querySelectorAll('.jp-OutputArea-output')]
      .find(o => /Traceback|Error:/.test(o.textContent || '') && o.querySelector('.ansi-red-fg, .ansi-red-intense-fg'));
  const status = document.querySelector('#jp-main-statusbar')?.textContent || '';
  const idle = window.jupyterapp
      ? (__NB7_IDLE__)(__DISPLAY_NAME__)
      : status.includes('| Idle');
  return {prompts, error: traceback ? traceback.textContent.slice(0, 2000) : null, idle};
}
""".replace("__NB7_IDLE__", _NOTEBOOK7_KERNEL_IDLE_JS.strip()).replace(
    "__DISPLAY_NAME__", json.dumps(KERNEL_DISPLAY_NAME)
)


def run_all_cells(page, timeout_ms: int = RUN_ALL_TIMEOUT_MS) -> None:
    """Runs every cell through the Run menu and waits until each one has finished.

    Finished means every code cell shows ``[n]:`` and the kernel is idle; a traceback in an
    output fails at once with its text. The Run menu and its ``runmenu:run-all`` command are
    the same in JupyterLab and Notebook 7.
    """
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    page.wait_for_function(
        f"""() => {{
            const s = ({_RUN_STATE_JS})();
            if (!s) return false;
            if (s.error) return true;
            return s.idle && s.prompts.length > 0 && s.prompts.every(p => /^\\[\\d+\\]:$/.test(p));
        }}""",
        timeout=timeout_ms,
        polling=100,
    )
    state = page.evaluate(_RUN_STATE_JS)
    if state["error"]:
        raise AssertionError(f"a cell raised while running all cells:\n{state['error']}")


def check_widgets_rendered(page, timeout_ms: int = WIDGET_TIMEOUT_MS) -> None:
    """Waits until no output still says "Loading widget", then fails on widget errors.

    Only meaningful together with a check that the expected widget is present (pitfall 6).
    """
    page.wait_for_function(
        """() => ![...document.querySelectorAll('.jp-OutputArea-output')]
                    .some(o => (o.textContent || '').includes('Loading widget'))""",
        timeout=timeout_ms,
    )
    for area in page.locator(".jp-OutputArea-output").all():
        text = area.inner_text()
        for message in WIDGET_ERROR_TEXTS:
            assert message not in text, f"{message!r} in an output:\n{text[:2000]}"


def screenshot(locator, name: str) -> Path:
    """Saves an element screenshot to ``artifacts/screenshots/<name>.png`` (pitfall 7)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(path), animations="disabled")
    return path


_WATCH_IMAGE_JS = """
(img) => {
  if (img.__augwidgetsWatch) return;
  const watch = {srcs: [img.getAttribute('src')], times: [], keyTimes: [], pending: null};
  img.__augwidgetsWatch = watch;
  new MutationObserver(() => {
    const src = img.getAttribute('src');
    if (src === watch.srcs[watch.srcs.length - 1]) return;
    watch.srcs.push(src);
    const t = performance.now();
    // "New pixels": the new image is decoded and a frame has been produced with it.
    img.decode().catch(() => null).then(() => requestAnimationFrame(() => {
      watch.times.push({src, changed: t, painted: performance.now()});
    }));
  }).observe(img, {attributes: true, attributeFilter: ['src']});
  document.addEventListener('keydown', () => watch.keyTimes.push(performance.now()), true);
}
"""


def watch_image(img_locator) -> None:
    """Starts recording every ``src`` an image element takes (and when its pixels are ready)."""
    img_locator.evaluate(_WATCH_IMAGE_JS)


def image_sources(img_locator) -> list[str]:
    """Every distinct ``src`` the watched image has shown, oldest first."""
    return img_locator.evaluate("(img) => img.__augwidgetsWatch.srcs.slice()")


def wait_for_new_src(img_locator, seen: int, timeout_ms: int = WIDGET_TIMEOUT_MS) -> str:
    """Waits until the watched image has shown more than ``seen`` sources; returns the last."""
    img_locator.evaluate(
        """(img, [seen, timeout]) => new Promise((resolve, reject) => {
            const w = img.__augwidgetsWatch;
            const start = performance.now();
            const check = () => {
              if (w.srcs.length > seen) return resolve();
              if (performance.now() - start > timeout) return reject(new Error(
                  `image src did not change within ${timeout} ms`));
              requestAnimationFrame(check);
            };
            check();
        })""",
        [seen, timeout_ms],
    )
    return image_sources(img_locator)[-1]


def measure_slider_latency(
    page, handle_locator, img_locator, moves: int = 20, timeout_ms: int = WIDGET_TIMEOUT_MS,
    alternate_from: int = 0,
) -> list[float]:
    """Presses ArrowRight/ArrowLeft on a slider handle ``moves`` times; returns latencies.

    Each latency is milliseconds from the keydown event to the frame after the image's new
    ``src`` has been decoded ("keypress to new preview pixels"). Moves alternate between
    going right and back, so the slider never sticks at a bound (``alternate_from``: moves
    already made, when called one move at a time); each move waits for its image before
    the next key is pressed.
    """
    watch_image(img_locator)
    handle_locator.focus()
    latencies = []
    for move in range(moves):
        key = "ArrowRight" if ((alternate_from + move) // 5) % 2 == 0 else "ArrowLeft"
        before = img_locator.evaluate("(img) => img.__augwidgetsWatch.times.length")
        keys_before = img_locator.evaluate("(img) => img.__augwidgetsWatch.keyTimes.length")
        page.keyboard.press(key)
        img_locator.page.wait_for_function(
            "([img, n]) => img.__augwidgetsWatch.times.length > n",
            arg=[img_locator.element_handle(), before],
            timeout=timeout_ms,
            polling="raf",
        )
        key_time = img_locator.evaluate(f"(img) => img.__augwidgetsWatch.keyTimes[{keys_before}]")
        painted = img_locator.evaluate(f"(img) => img.__augwidgetsWatch.times[{before}].painted")
        latencies.append(painted - key_time)
    return latencies


@contextlib.contextmanager
def temporary_environment(base: Path) -> Iterator[JupyterEnvironment]:
    """A JupyterEnvironment under ``base`` that is removed afterwards."""
    env = JupyterEnvironment.create(base)
    try:
        yield env
    finally:
        shutil.rmtree(base, ignore_errors=True)


def open_file_browser(page) -> None:
    """Makes sure JupyterLab's left sidebar shows the file browser, as a student sees it."""
    browser = page.locator("#filebrowser")
    if not browser.is_visible():
        page.locator('.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]').first.click()
    browser.wait_for(state="visible")


# Viewport widths a student's laptop or projector has: JupyterLab is checked with its left
# sidebar (the file browser) open, Voila as it is. Tall, so element screenshots of a whole
# panel stay inside the viewport (pitfall 7).
WIDTHS = (1024, 1280, 1440)
VIEWPORT_HEIGHT = 3200


def set_width(page, width: int, height: int = VIEWPORT_HEIGHT) -> None:
    """Resizes the viewport and waits two frames so layouts have settled."""
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
