"""Checking the options every way of counting shares, once, with messages that name them.

``count_words``, ``count_partition``, ``finalize_counts``, the Dask and Spark
engines and the command line take the same options (``workers``,
``min_count``, ``top``, ``chunk_size``, ``backend``...). They are checked here,
before any text is read or any worker starts, so ``top=2.5`` fails at once
with its name rather than after the whole count; a wrong type raises
TypeError, a value out of range ValueError.
"""

from __future__ import annotations

from typing import Optional, Tuple

__all__ = ["whole_number", "check_cut", "check_backend"]

BACKENDS = ("threads", "processes")


def whole_number(name: str, value, minimum: int, *, none: bool = False) -> Optional[int]:
    """``value`` as an int of at least ``minimum`` (or None, with ``none``).

    Accepts any integer type (``int``, numpy integers: whatever has
    ``__index__``) but not ``bool`` and not ``float``, however whole. Raises
    TypeError or ValueError whose message names ``name`` and says what is
    expected.
    """
    if value is None and none:
        return None
    expected = f"an int >= {minimum}" + (" or None" if none else "")
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be {expected}, not {type(value).__name__} {value!r}")
    number = value.__index__()
    if number < minimum:
        raise ValueError(f"{name} must be {expected}, got {number!r}")
    return number


def check_cut(min_count, top) -> Tuple[int, Optional[int]]:
    """``(min_count, top)`` checked: ``min_count`` an int >= 1, ``top`` an int >= 0 or None."""
    return whole_number("min_count", min_count, 1), whole_number("top", top, 0, none=True)


def check_backend(backend, mp_context) -> None:
    """``backend`` is None, ``"threads"`` or ``"processes"``; ``mp_context`` goes with processes."""
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"backend must be 'threads', 'processes' or None, got {backend!r}")
    if backend == "threads" and mp_context is not None:
        raise ValueError("mp_context applies to backend='processes' only")
