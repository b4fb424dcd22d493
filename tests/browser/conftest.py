"""Fixtures for the real-browser suite: servers (JupyterLab, Notebook 7), Chromium, pages.

Tests here are marked ``browser``. They are skipped unless ``--browser`` is given,
``AUGWIDGETS_BROWSER=1`` is set, or ``CI=true``; in CI a missing Chromium is a failure, not a
skip. Chromium is always Debian's ``/usr/bin/chromium`` (override with
``AUGWIDGETS_CHROMIUM``); ``playwright install`` is never used.

Example:
    $ python -m pytest -m browser tests/browser -q --browser
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.browser import harness

BROWSER_DIR = Path(__file__).resolve().parent


def pytest_addoption(parser: pytest.Parser) -> None:
    # Works when pytest is pointed at tests/browser (an "initial" conftest) or when the root
    # conftest registers the same option; AUGWIDGETS_BROWSER=1 works everywhere.
    try:
        parser.addoption(
            "--browser",
            action="store_true",
            default=False,
            help="run the real-browser tests (Chromium, JupyterLab, Voila)",
        )
    except ValueError:  # already registered by tests/conftest.py
        pass


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def browser_tests_enabled(config: pytest.Config) -> bool:
    """Whether browser tests run: ``--browser``, ``AUGWIDGETS_BROWSER=1`` or ``CI=true``."""
    option = config.getoption("--browser", default=False)
    env = os.environ.get("AUGWIDGETS_BROWSER", "").lower() in {"1", "true", "yes"}
    return bool(option or env or _in_ci())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    enabled = browser_tests_enabled(config)
    skip = pytest.mark.skip(reason="browser test: pass --browser or set AUGWIDGETS_BROWSER=1")
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
        if not enabled and item.get_closest_marker("browser"):
            item.add_marker(skip)


SUMMARY_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    """Prints what the suite measured (the slider latency table) after the results."""
    if SUMMARY_LINES:
        terminalreporter.section("browser measurements")
        for line in SUMMARY_LINES:
            terminalreporter.write_line(line)


@pytest.fixture
def summary() -> list[str]:
    """Lines a test wants shown in the terminal summary."""
    return SUMMARY_LINES


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; missing it fails the suite (it is only ever skipped by choice)."""
    path = harness.CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path}: install it with "
            "`apt-get install -y chromium` (never `playwright install`)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def jupyter_env():
    """An isolated Jupyter environment (kernelspec, settings, notebook root) for the session."""
    base = Path(tempfile.mkdtemp(prefix="augwidgets-browser-"))
    try:
        env = harness.JupyterEnvironment.create(base)
        yield env
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def lab_server(jupyter_env):
    """JupyterLab on 127.0.0.1 at a free port, stopped by PID at the end of the session."""
    server = harness.start_lab(jupyter_env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def notebook7_server(jupyter_env):
    """Notebook 7 on 127.0.0.1 at a free port, stopped by PID at the end of the session.

    Missing ``notebook`` (the ``test`` extra) skips locally and fails in CI.
    """
    try:
        import notebook  # noqa: F401
    except ImportError:
        message = "Notebook 7 not installed: pip install 'notebook>=7.2'"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = harness.start_notebook7(jupyter_env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright, executable=chromium_path)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(chromium, request):
    """A fresh browser context and page whose console errors are kept in ``page.console``.

    When the test fails, a screenshot of the page and its console go to
    ``artifacts/failures/`` (CI keeps them as evidence).
    """
    context = chromium.new_context(viewport={"width": 1600, "height": 1600})
    context.set_default_timeout(harness.WIDGET_TIMEOUT_MS)
    page = context.new_page()
    page.console = harness.ConsoleLog.attach(page)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        failures = harness.SCREENSHOT_DIR.parent / "failures"
        failures.mkdir(parents=True, exist_ok=True)
        name = request.node.name
        try:
            page.screenshot(path=str(failures / f"{name}.png"))
        except Exception as error:  # noqa: BLE001 - evidence is best effort
            print(f"no failure screenshot: {error}")
        (failures / f"{name}-console.txt").write_text(
            "\n".join(page.console.errors + page.console.warnings), encoding="utf-8"
        )
    context.close()


def _notebook_opener(page, server, jupyter_env, request, open_in_page):
    """Yields ``open_copy(source)``; afterwards deletes the copies' sessions, and on failure
    keeps the server log (it holds the kernels' stderr, where widget callbacks log)."""
    opened: list[str] = []

    def open_copy(source: Path):
        name = jupyter_env.copy_notebook(Path(source))
        opened.append(name)
        open_in_page(page, server.url, name)
        return page

    yield open_copy
    for name in opened:
        server.delete_sessions(path_contains=name)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        failures = harness.SCREENSHOT_DIR.parent / "failures"
        failures.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(server.log_path, failures / f"{request.node.name}-{server.name}.log")


@pytest.fixture
def lab_notebook(page, lab_server, jupyter_env, request):
    """Opens a fresh copy of a notebook in JupyterLab; deletes its session afterwards.

    Call it with the notebook's path; it returns the page once the kernel is idle.
    """
    yield from _notebook_opener(page, lab_server, jupyter_env, request, harness.open_notebook)


@pytest.fixture
def notebook7_notebook(page, notebook7_server, jupyter_env, request):
    """Opens a fresh copy of a notebook in Notebook 7 (``/notebooks/<name>``); deletes its
    session afterwards. Call it with the notebook's path; it returns the page once the
    kernel is idle.
    """
    yield from _notebook_opener(
        page, notebook7_server, jupyter_env, request, harness.open_notebook7
    )
