"""The iterators' base class: a ``keras.utils.PyDataset`` that does not import Keras first.

``import keras`` starts its backend: with TensorFlow that is about 550 MB and 4-5 s, per
kernel. Listing a folder, drawing batches, the explorer and the lessons that train nothing
need none of it; only ``fit`` does. (Keras's NumPy backend is no way out: it imports JAX,
and ``import keras`` under it still takes about 350 MB.)

So the iterators derive from ``LazyPyDataset``, which implements what Keras reads from a
``PyDataset`` itself (``workers``, ``use_multiprocessing``, ``max_queue_size``,
``num_batches``, ``on_epoch_begin``, ``on_epoch_end``) and turns each instance into a real
``keras.utils.PyDataset`` subclass as soon as Keras is loaded:

- an iterator made while Keras is imported is one from the start;
- an iterator made before answers ``isinstance(it, keras.utils.PyDataset)`` with True once
  Keras is loaded: ``fit`` picks its data adapter that way, and ``isinstance`` falls back
  to ``it.__class__``, which then names the upgraded class (as ``unittest.mock`` does for
  ``spec``). Keras only reads the attributes above, which this class implements.

The upgraded class (one per iterator class, cached) subclasses both, so
``isinstance(it, DirectoryIterator)`` and ``type(it).__name__`` are unchanged.

``image_data_format()`` and ``floatx()`` read Keras's settings the same way: from Keras
when it is loaded, else from ``keras.json`` as Keras itself would.

Examples:
    >>> class Batches(LazyPyDataset):
    ...     def __len__(self): return 3
    ...     def __getitem__(self, index): return index
    >>> it = Batches()
    >>> it.num_batches, it.workers
    (3, 1)
"""

from __future__ import annotations

import json
import os
import sys
from types import FrameType
from typing import Any

_UPGRADED: dict[type, type] = {}
_PLAIN: dict[type, type] = {}  # upgraded class -> the class it was made from
_SET_CLASS = object.__dict__["__class__"].__set__


def _keras_loaded() -> bool:
    return "keras" in sys.modules


def _upgraded_class(cls: type) -> type:
    """``cls`` with ``keras.utils.PyDataset`` as a further base (made once per class)."""
    upgraded = _UPGRADED.get(cls)
    if upgraded is None:
        import keras

        base = keras.utils.PyDataset
        upgraded = cls if issubclass(cls, base) else type(cls.__name__, (cls, base), {
            "__module__": cls.__module__, "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__})
        _UPGRADED[cls] = _UPGRADED[upgraded] = upgraded
        _PLAIN[upgraded] = cls
    return upgraded


def _new_instance(cls: type) -> Any:
    """Unpickling: an empty instance of ``cls``, upgraded if Keras is loaded here."""
    instance = cls.__new__(cls)
    if _keras_loaded():
        _SET_CLASS(instance, _upgraded_class(cls))
    return instance


class LazyPyDataset:
    """``keras.utils.PyDataset``'s interface, becoming one once Keras is loaded.

    Args:
        workers: as ``PyDataset``: worker threads (or processes) Keras uses to read batches.
        use_multiprocessing: as ``PyDataset``.
        max_queue_size: as ``PyDataset``.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        # The attribute names PyDataset.__init__ sets, so its own properties work too.
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size
        if _keras_loaded():
            _SET_CLASS(self, _upgraded_class(type(self)))

    @property
    def __class__(self) -> type:
        # What isinstance() falls back on when type(self) is not a subclass. It must return
        # a class other than type(self), so the instance itself is left as it is; this class
        # implements everything Keras reads from a PyDataset.
        cls = type(self)
        return _upgraded_class(cls) if _keras_loaded() else cls

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Pickled under the plain class: the upgraded one is made at run time, so it has no
        # importable name (a copy answers isinstance(PyDataset) wherever Keras is loaded).
        reduced = super().__reduce_ex__(protocol)
        cls = type(self)
        if cls not in _PLAIN or not isinstance(reduced, tuple) or not reduced[1]:
            return reduced
        _, arguments, *rest = reduced
        if arguments[0] is not cls or len(arguments) != 1:
            return reduced
        return (_new_instance, (_PLAIN[cls],), *rest)

    @property
    def workers(self) -> int:
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch (``len(self)``), as Keras asks for it."""
        return len(self)  # type: ignore[arg-type]

    def on_epoch_begin(self) -> None:
        """Called by Keras at the start of every epoch; does nothing by default."""

    def on_epoch_end(self) -> None:
        """Called by Keras at the end of every epoch; does nothing by default."""


class KerasOrder:
    """Which batch Keras will ask for next, read from the adapter that is asking.

    ``fit`` on a ``PyDataset`` (without Keras' own workers) reads it through
    ``PyDatasetAdapter._finite_generator``, which shuffles the batch *order* first
    (``random.shuffle`` over the indices, unless ``fit(shuffle=False)``): a prefetch of "the
    next index" never fires. That generator's list of indices is the order it will request,
    so ``next_after(idx)``, called from ``__getitem__``, looks at its caller's frame and
    answers the index Keras asks for after ``idx``. It answers ``None`` for any other caller
    or if the list does not hold ``idx`` where expected (a Keras that reads differently):
    the prefetch is then only skipped, never wrong. ``for_signature()`` tells the two reads
    ``get_tf_dataset`` makes to learn the batch shapes (a prefetch after them is wasted).
    """

    _GENERATOR = "_finite_generator"
    _SIGNATURE = "get_tf_dataset"

    def __init__(self) -> None:
        self._order: Any = None
        self._position = 0

    @staticmethod
    def _adapter_frame(depth: int, name: str) -> Any:
        # depth: frames between the caller of ``next_after`` and the adapter's code.
        frame: FrameType | None = sys._getframe(depth + 1)
        for _ in range(2):  # a list comprehension is a frame of its own before Python 3.12
            if frame is None:
                return None
            code = frame.f_code
            if code.co_name == name and "data_adapters" in code.co_filename:
                return frame
            frame = frame.f_back
        return None

    def for_signature(self, depth: int = 1) -> bool:
        """True when ``get_tf_dataset`` is reading a batch only for its shapes."""
        return self._adapter_frame(depth + 1, self._SIGNATURE) is not None

    def next_after(self, idx: int, depth: int = 1) -> int | None:
        """The index the calling Keras adapter requests after ``idx``, or ``None``."""
        frame = self._adapter_frame(depth + 1, self._GENERATOR)
        order = frame.f_locals.get("indices") if frame is not None else None
        if not isinstance(order, (list, range)):
            return None
        if order is not self._order:
            self._order, self._position = order, 0
        position = self._position
        if not (position < len(order) and order[position] == idx):
            try:
                position = order.index(idx)
            except ValueError:
                return None
        self._position = position + 1
        return order[position + 1] if position + 1 < len(order) else None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._order = None
        self._position = 0


def _keras_json() -> dict[str, Any]:
    # Where keras/src/backend/config.py looks: $KERAS_HOME, else ~/.keras, else /tmp/.keras.
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    if not os.access(home, os.W_OK):
        home = os.path.join("/tmp", ".keras")
    try:
        with open(os.path.join(home, "keras.json")) as handle:
            settings = json.load(handle)
    except (OSError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def image_data_format() -> str:
    """Keras's ``image_data_format`` (``"channels_last"`` unless configured otherwise)."""
    if _keras_loaded():
        import keras

        return keras.backend.image_data_format()
    value = _keras_json().get("image_data_format", "channels_last")
    return value if value in ("channels_last", "channels_first") else "channels_last"


def floatx() -> str:
    """Keras's ``floatx`` (``"float32"`` unless configured otherwise)."""
    if _keras_loaded():
        import keras

        return keras.backend.floatx()
    value = _keras_json().get("floatx", "float32")
    return value if value in ("float16", "bfloat16", "float32", "float64") else "float32"
