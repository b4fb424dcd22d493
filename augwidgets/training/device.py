"""Which device training runs on, in words, and the precision policy that suits it.

``describe_device()`` names the first GPU TensorFlow sees (or the CPU), and
``default_dtype_policy`` picks ``"mixed_float16"`` on a GPU, where it roughly doubles
throughput, and ``"float32"`` on a CPU, where it would only be slower. The policy is
passed to the layers of the model we build, never set globally, so a user's own models
are left alone.

Examples:
    >>> info = describe_device()
    >>> info.kind in ("GPU", "CPU")
    True
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceInfo:
    """The device training runs on.

    Args:
        kind: ``"GPU"`` or ``"CPU"``.
        name: a human-readable name, e.g. ``"NVIDIA H100 80GB HBM3"`` or the CPU model.
        count: how many devices of that kind TensorFlow sees (CPU: logical cores).
    """

    kind: str
    name: str
    count: int

    @property
    def is_gpu(self) -> bool:
        """True for a GPU."""
        return self.kind == "GPU"

    def describe(self) -> str:
        """One line for a status display, e.g. ``"CPU (2 cores): Intel Xeon"``."""
        if self.is_gpu:
            extra = f" x{self.count}" if self.count > 1 else ""
            return f"GPU{extra}: {self.name}"
        return f"CPU ({self.count} cores): {self.name}"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def describe_device() -> DeviceInfo:
    """Describes the first GPU TensorFlow can use, else the CPU.

    Examples:
        >>> describe_device().count >= 1
        True
    """
    try:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
    except ImportError:  # another Keras backend: report the CPU
        gpus = []
    if gpus:
        try:
            details = tf.config.experimental.get_device_details(gpus[0])
        except Exception:  # details are optional; the name is a nicety
            details = {}
        return DeviceInfo("GPU", details.get("device_name", gpus[0].name), len(gpus))
    return DeviceInfo("CPU", _cpu_name(), os.cpu_count() or 1)


def default_dtype_policy(device: DeviceInfo) -> str:
    """``"mixed_float16"`` on a GPU, ``"float32"`` on a CPU.

    Examples:
        >>> default_dtype_policy(DeviceInfo("CPU", "x", 2))
        'float32'
    """
    return "mixed_float16" if device.is_gpu else "float32"
