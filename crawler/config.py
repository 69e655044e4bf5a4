"""Build the core's config dataclasses from Scrapy settings, naming the setting at fault."""

from __future__ import annotations

from dataclasses import fields
from typing import TypeVar

from scrapy.settings import BaseSettings

T = TypeVar("T")


def from_settings(cls: type[T], prefix: str, settings: BaseSettings) -> T:
    """Return ``cls`` built from the ``<PREFIX>_<FIELD>`` settings, defaults where unset.

    ``cls`` is a dataclass whose ``__post_init__`` raises ValueError with a message
    that starts with the field's name; the error raised here names the setting.
    """
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if not f.init:
            continue
        name = f"{prefix}_{f.name.upper()}"
        kind = type(f.default)
        try:
            values[f.name] = kind(settings.get(name, f.default))
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a {kind.__name__}, got {settings.get(name)!r}") from None
    try:
        return cls(**values)
    except ValueError as exc:
        raise ValueError(f"{prefix}_{str(exc).split()[0].upper()}: {exc}") from exc
