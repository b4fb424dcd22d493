"""Generator argument values written as Python or R source: the literals exported code uses.

Examples:
    >>> number_literal(1 / 255), r_value([0.8, 1.2]), python_value(True)
    ('1/255', 'c(0.8, 1.2)', 'True')
"""

from __future__ import annotations

import json
import keyword
from typing import Any

#: Shift arguments keep their float type: 1.0 (uniform fraction of pixels) and 1 differ.
SHIFTS = ("width_shift_range", "height_shift_range")


def number_literal(value: float, name: str = "") -> str:
    """Shortest exact literal; ``1/255`` for reciprocals, ints for whole floats."""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if 0 < abs(value) < 1 and len(repr(value)) > 8:
        inverse = 1 / value
        for digits in (0, 1):
            candidate = round(inverse, digits)
            if candidate != 0 and 1 / candidate == value and abs(candidate) > 1:
                text = f"{candidate:.{digits}f}"
                return f"1/{text}"
    if value.is_integer() and name not in SHIFTS:
        # shifts keep their float type: 1.0 (uniform pixels) and 1 (whole pixels) differ
        return str(int(value))
    return repr(value)


def python_value(value: Any, name: str = "") -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(python_value(v) for v in value) + "]"
    if callable(value):
        return function_name(value)
    return number_literal(value, name)


def function_name(function: Any) -> str:
    """The function's name when it is an identifier in Python and R (a lambda's is not)."""
    name = getattr(function, "__name__", "")
    if name.isidentifier() and not name.startswith("_") and not keyword.iskeyword(name):
        return name
    return "preprocess"


def r_value(value: Any, name: str = "") -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "c(" + ", ".join(r_value(v) for v in value) + ")"
    if callable(value):
        return function_name(value)
    text = number_literal(value, name)
    return text + "L" if isinstance(value, int) and name in SHIFTS else text
