"""``GeneratorConfig``: a generator's arguments, validated once and frozen.

``validate_generator_kwargs`` (in ``engine.arguments``) checks every argument; this module
holds the result, with the two normalised views the pipeline reads: ``transform`` (what is
drawn per image) and ``scaling`` (what runs after augmentation). ``ImageDataGenerator``,
the explorer's preview and the Keras layer all build one and pass it on; nothing downstream
validates again.

Examples:
    >>> config = GeneratorConfig.from_kwargs({"rotation_range": 20, "rescale": 1 / 255})
    >>> config.transform.rotation_range, config.scaling.only_rescales
    (20, True)
    >>> config.replace(zoom_range=0.2).transform.zoom_range
    (0.8, 1.2)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from augwidgets.engine.arguments import TransformConfig, validate_generator_kwargs
from augwidgets.image.standardize import ScalingConfig

#: The legacy constructor's overrides: (when set, option, value it forces, warning).
_LEGACY_OVERRIDES = (
    ("zca_whitening", "featurewise_center", True,
     "This ImageDataGenerator specifies `zca_whitening`, which overrides setting of "
     "`featurewise_center`."),
    ("zca_whitening", "featurewise_std_normalization", False,
     "This ImageDataGenerator specifies `zca_whitening` which overrides setting of "
     "`featurewise_std_normalization`."),
    ("featurewise_std_normalization", "featurewise_center", True,
     "This ImageDataGenerator specifies `featurewise_std_normalization`, which overrides "
     "setting of `featurewise_center`."),
    ("samplewise_std_normalization", "samplewise_center", True,
     "This ImageDataGenerator specifies `samplewise_std_normalization`, which overrides "
     "setting of `samplewise_center`."),
)


@dataclass(frozen=True)
class GeneratorConfig:
    """Every ``ImageDataGenerator`` argument, validated and complete (legacy defaults
    filled in), with its normalised ``transform`` and ``scaling`` parts."""

    arguments: Mapping[str, Any]
    transform: TransformConfig
    scaling: ScalingConfig

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any], *, legacy_overrides: bool = False,
                    stacklevel: int = 2) -> GeneratorConfig:
        """Validate ``kwargs`` (missing ones take the legacy defaults) and freeze them.

        ``legacy_overrides``: apply the legacy constructor's switches (ZCA implies
        featurewise centring, and so on), each with the legacy warning.

        Raises:
            ValueError, TypeError: for a bad argument, naming it (``validate_generator_kwargs``).
        """
        params = validate_generator_kwargs(kwargs)
        if legacy_overrides:
            for trigger, option, value, message in _LEGACY_OVERRIDES:
                if params[trigger] and bool(params[option]) != value:
                    params[option] = value
                    warnings.warn(message, stacklevel=stacklevel + 1)
        return cls(MappingProxyType(params), TransformConfig.from_arguments(params),
                   ScalingConfig.from_arguments(params))

    def __reduce__(self) -> tuple[Any, ...]:
        # A mappingproxy does not pickle; iterators travel to Keras' worker processes.
        return (_restore, (dict(self.arguments), self.transform, self.scaling))

    def replace(self, **changes: Any) -> GeneratorConfig:
        """A new config with ``changes`` applied and validated."""
        return GeneratorConfig.from_kwargs({**self.arguments, **changes})

    def as_kwargs(self) -> dict[str, Any]:
        """The arguments as a plain (mutable) dict."""
        return dict(self.arguments)


class Argument:
    """A legacy generator attribute (``gen.rotation_range``) kept in ``gen.config``.

    Reading gives the validated value; assigning one (legacy code and test suites do)
    validates it and replaces the frozen config, so attributes and config never disagree.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, generator: Any, owner: type | None = None) -> Any:
        if generator is None:
            return self
        if self.name == "zoom_range":  # legacy keeps the normalised [low, high] list
            return list(generator.config.transform.zoom_range)
        return generator.config.arguments[self.name]

    def __set__(self, generator: Any, value: Any) -> None:
        generator.config = generator.config.replace(**{self.name: value})


def _restore(arguments: dict[str, Any], transform: TransformConfig,
             scaling: ScalingConfig) -> GeneratorConfig:
    return GeneratorConfig(MappingProxyType(arguments), transform, scaling)
