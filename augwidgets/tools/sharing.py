"""Save and load generator settings as JSON or as a short string a teacher can hand out.

Only the arguments that differ from the legacy defaults are stored, so a configuration
stays short. A share string is the URL-safe base64 of the compact JSON, prefixed with
``aw1:`` so a future format can be told apart. Loading validates the settings with
``validate_generator_kwargs`` and rejects anything that is not a plain value (a
``preprocessing_function`` cannot travel in a string). To keep share strings short, each
argument is keyed by its position in the legacy signature (one base-36 digit) and
reciprocals such as ``1/255`` are written as ``"/255"``.

Examples:
    >>> text = to_share_string({"rotation_range": 20, "horizontal_flip": True})
    >>> text
    'aw1:eyJmIjp0cnVlLCI2IjoyMH0'
    >>> from_share_string(text)
    {'rotation_range': 20, 'horizontal_flip': True}
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from augwidgets.engine.arguments import DEFAULTS, validate_generator_kwargs

SHARE_PREFIX = "aw1:"


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def non_default_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Return the validated arguments that differ from the legacy defaults, in legacy order.

    Examples:
        >>> non_default_kwargs({"rotation_range": 0, "zoom_range": 0.1})
        {'zoom_range': 0.1}
    """
    complete = validate_generator_kwargs(dict(kwargs))
    out = {}
    for name, default in DEFAULTS.items():
        value = complete[name]
        if callable(value) or callable(default):
            if value is not default:
                out[name] = value
            continue
        if _plain(value) != _plain(default):
            out[name] = _plain(value)
    return out


def to_json(kwargs: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """Serialise the non-default arguments as JSON.

    Raises:
        ValueError: if ``preprocessing_function`` is set (a function cannot be serialised).

    Examples:
        >>> to_json({"rescale": 0.5}, indent=None)
        '{"rescale": 0.5}'
    """
    settings = non_default_kwargs(kwargs)
    if "preprocessing_function" in settings:
        raise ValueError(
            "`preprocessing_function` cannot be saved to JSON or a share string; "
            "remove it and pass it again after loading. "
            f"Received: preprocessing_function={settings['preprocessing_function']!r}"
        )
    return json.dumps(settings, indent=indent, sort_keys=indent is None)


def from_json(text: str) -> dict[str, Any]:
    """Parse and validate settings saved by ``to_json``; returns the non-default arguments.

    Examples:
        >>> from_json('{"shear_range": 10}')
        {'shear_range': 10}
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"`text` must be a JSON object of generator arguments ({error.msg}). "
            f"Received: text={text[:60]!r}"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"`text` must be a JSON object. Received: text={text[:60]!r}")
    if "preprocessing_function" in data:
        raise ValueError("`preprocessing_function` cannot be loaded from JSON. "
                         f"Received: preprocessing_function={data['preprocessing_function']!r}")
    return non_default_kwargs(data)


_NAMES = list(DEFAULTS)


def _key(index: int) -> str:
    return "0123456789abcdefghijklmnopqrstuvwxyz"[index]


def _short_number(value: Any) -> Any:
    if isinstance(value, float) and 0 < value < 1 and len(repr(value)) > 8:
        inverse = round(1 / value, 1)
        if 1 / inverse == value:
            return "/" + (str(int(inverse)) if inverse.is_integer() else str(inverse))
    return value


def _long_number(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("/"):
        return 1 / float(value[1:])
    return value


def to_share_string(kwargs: Mapping[str, Any]) -> str:
    """A short, URL-safe string holding the non-default arguments.

    Examples:
        >>> to_share_string({})
        'aw1:e30'
    """
    settings = json.loads(to_json(kwargs, indent=None))
    compact = {_key(_NAMES.index(name)): _short_number(value) for name, value in settings.items()}
    text = json.dumps(compact, separators=(",", ":"))
    return SHARE_PREFIX + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def from_share_string(text: str) -> dict[str, Any]:
    """Decode a string made by ``to_share_string`` (or plain JSON) into validated arguments.

    Examples:
        >>> from_share_string('aw1:eyI2Ijo0NX0')
        {'rotation_range': 45}
    """
    text = text.strip()
    if text.startswith("{"):
        return from_json(text)
    if not text.startswith(SHARE_PREFIX):
        raise ValueError(f"`text` must be a share string starting with {SHARE_PREFIX!r} or a "
                         f"JSON object. Received: text={text[:60]!r}")
    body = text[len(SHARE_PREFIX):]
    try:
        decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(f"`text` is not a valid share string (bad base64). "
                         f"Received: text={text[:60]!r}") from None
    try:
        compact = json.loads(decoded)
        keys = {_key(i): name for i, name in enumerate(_NAMES)}
        settings = {keys[key]: _long_number(value) for key, value in compact.items()}
    except (json.JSONDecodeError, KeyError, AttributeError, ValueError, ZeroDivisionError):
        raise ValueError(f"`text` is not a valid share string. Received: text={text[:60]!r}"
                         ) from None
    return non_default_kwargs(settings)
