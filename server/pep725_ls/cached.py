"""``cached_property`` without Python 3.11's lock, which is one per class, not per object.

With functools' version, an analysis of a 5 MB document in a worker thread held the lock of
``Analysis.findings`` (and ``PyprojectDocument.tree``) for all instances: every other
document's analysis, and a hover parsing a small document on the event loop, waited for it.
Python 3.12 dropped the lock; this is that behaviour. Two threads asking at once may both
compute (the values are pure), and the first result stays.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")
_MISSING = object()


class cached_property(Generic[T]):  # noqa: N801 - a drop-in for functools.cached_property
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.attrname: str | None = None
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.attrname = name

    def __get__(self, instance, owner=None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        cache = instance.__dict__
        value = cache.get(self.attrname, _MISSING)
        if value is _MISSING:
            value = cache.setdefault(self.attrname, self.func(instance))
        return value
