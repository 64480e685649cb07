"""Checking the options every way of counting shares, once, with messages that name them.

``count_words``, ``count_partition``, ``finalize_counts``, the Dask and Spark
engines and the command line take the same options (``workers``,
``min_count``, ``top``, ``chunk_size``, ``backend``, the tokenizer's...). They are checked here,
before any text is read or any worker starts, so ``top=2.5`` fails at once
with its name rather than after the whole count; a wrong type raises
TypeError, a value out of range ValueError.
"""

from __future__ import annotations

import sys
from typing import Optional, Tuple

__all__ = ["whole_number", "check_cut", "check_backend", "check_tokenizer_options", "tokenizer_object", "NAMES"]

BACKENDS = ("threads", "processes")

#: The tokenizer names, as the CLI's ``--tokenizer`` lists them.
NAMES = ("jieba", "jieba-py", "whitespace", "char")

#: The names of jieba's tokenizers (the native one and jieba's own).
JIEBA_NAMES = ("jieba", "jieba-py")


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


def tokenizer_object(tokenizer) -> Optional[str]:
    """``"Tokenizer"`` or ``"jieba.Tokenizer"`` for a tokenizer object, else None
    (neither module is imported to find out: an object of theirs needs them loaded)."""
    segmenter, jieba = sys.modules.get("fastcount.segmenter"), sys.modules.get("jieba")
    if segmenter is not None and isinstance(tokenizer, segmenter.Tokenizer):
        return "Tokenizer"
    if jieba is not None and isinstance(tokenizer, jieba.Tokenizer):
        return "jieba.Tokenizer"
    return None


def check_tokenizer_options(tokenizer, hmm: bool, cut_all: bool, user_dict) -> None:
    """``hmm``, ``cut_all`` and ``user_dict`` go with ``tokenizer`` (jieba's
    options, a user dictionary only with a name, one that can be opened)."""
    is_object = tokenizer_object(tokenizer) is not None
    is_jieba = is_object or isinstance(tokenizer, str) and tokenizer in JIEBA_NAMES
    if not is_jieba and (hmm is not True or cut_all or user_dict is not None):
        raise ValueError(
            f"hmm, cut_all and user_dict apply to the jieba tokenizers only, not {tokenizer!r}"
        )
    if user_dict is not None:
        if is_object:
            raise ValueError(
                "user_dict applies to tokenizer names; load the user dictionary into the "
                "tokenizer object instead (tokenizer.load_userdict(path))"
            )
        with open(user_dict, "rb"):  # FileNotFoundError/PermissionError naming it, early
            pass
