"""The generator's arguments validated once, frozen, and passed on as one object.

``GeneratorConfig.from_kwargs`` runs ``validate_generator_kwargs`` once; everything
downstream (the preview renderer, a tile's values, the validation view) reads the frozen
result and never checks it again. Two configs are equal when their arguments are (a
callable argument, such as ``preprocessing_function``, by identity), so a config is also the
settings part of a cache key.

Example:
    >>> config = GeneratorConfig.from_kwargs({"rotation_range": 20, "rescale": 1 / 255})
    >>> config.transform.rotation_range, config.only_rescales
    (20, True)
    >>> config.scaling_only() == GeneratorConfig.from_kwargs({"rescale": 1 / 255})
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from augwidgets.engine.arguments import (
    DEFAULTS,
    SCALING_ARGUMENTS,
    TransformConfig,
    only_rescales,
    validate_generator_kwargs,
)


def _key(params: Mapping[str, Any]) -> tuple[tuple[str, object], ...]:
    return tuple((name, id(value) if callable(value) else repr(value))
                 for name, value in params.items())


@dataclass(frozen=True, eq=False)
class GeneratorConfig:
    """Every ``ImageDataGenerator`` argument, complete with legacy defaults, validated.

    Build it with ``from_kwargs``; ``params`` is read-only.

    Attributes:
        params: every argument (legacy defaults filled in), read-only.
        transform: the random-augmentation part, normalised for sampling.
    """

    params: Mapping[str, Any]
    transform: TransformConfig
    _key: tuple[tuple[str, object], ...] = field(repr=False)

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> GeneratorConfig:
        """Validates ``kwargs`` once.

        Raises:
            TypeError, ValueError: as ``validate_generator_kwargs``.
        """
        return cls._from_validated(validate_generator_kwargs(dict(kwargs)))

    @classmethod
    def of(cls, settings: GeneratorConfig | Mapping[str, Any]) -> GeneratorConfig:
        """``settings`` as a config: a config is returned as it is, a mapping is validated."""
        return settings if isinstance(settings, GeneratorConfig) else cls.from_kwargs(settings)

    @classmethod
    def _from_validated(cls, params: dict[str, Any]) -> GeneratorConfig:
        return cls(MappingProxyType(params), TransformConfig.from_validated(params), _key(params))

    @property
    def only_rescales(self) -> bool:
        """True when scaling is at most a multiplication by ``rescale``."""
        return only_rescales(self.params)

    @property
    def rescale(self) -> float | None:
        return self.params["rescale"]

    def scaling_only(self) -> GeneratorConfig:
        """The same scaling with no augmentation: what a validation generator applies."""
        params = {name: self.params[name] if name in SCALING_ARGUMENTS else default
                  for name, default in DEFAULTS.items()}
        return self._from_validated(params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GeneratorConfig) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)
