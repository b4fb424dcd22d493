"""JupyterLab settings for Binder and ``scripts/start``: one file, valid keys, no home dir.

``binder/overrides.json`` is the single source; ``binder/postBuild`` and ``scripts/start``
copy it into the environment's app settings (``<prefix>/share/jupyter/lab/settings``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = ROOT / "binder" / "overrides.json"
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def test_overrides_start_the_kernel_silence_news_and_shut_kernels_down_on_close():
    settings = json.loads(OVERRIDES.read_text())
    tracker = settings["@jupyterlab/notebook-extension:tracker"]
    assert tracker == {"autoStartDefaultKernel": True, "kernelShutdown": True}
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_every_override_names_a_setting_of_the_installed_jupyterlab():
    if not SCHEMAS.is_dir():
        pytest.skip(f"JupyterLab is not installed in {sys.prefix}")
    for plugin, values in json.loads(OVERRIDES.read_text()).items():
        package, name = plugin.rsplit(":", 1)
        schema = json.loads((SCHEMAS / package / f"{name}.json").read_text())
        for key, value in values.items():
            assert key in schema["properties"], f"{plugin} has no setting {key!r}"
            expected = schema["properties"][key].get("type")
            if expected in ("boolean", "string"):
                assert isinstance(value, bool if expected == "boolean" else str), (plugin, key)


@pytest.mark.parametrize("script", ["binder/postBuild", "scripts/start"])
def test_both_launchers_copy_the_same_file_into_the_environment_only(script):
    text = (ROOT / script).read_text()
    assert 'cp binder/overrides.json "$settings/overrides.json"' in text
    assert "share/jupyter/lab/settings" in text
    assert "~" not in text and "$HOME" not in text and "jupyter --config-dir" not in text


def test_start_keeps_the_token_and_listens_on_localhost_only():
    text = (ROOT / "scripts" / "start").read_text()
    assert "--ServerApp.ip=127.0.0.1" in text
    assert "token" not in text.replace("login token", "")
