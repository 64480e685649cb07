"""What a counting run did and how long it took (:class:`CountStats`).

Its own module, apart from :mod:`fastcount.pipeline`, so that the paths
that fill one without counting (``fastcount cut``) need not import numpy
and the counting engines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["CountStats", "cpu_count"]


@dataclass
class CountStats:
    """What a :func:`count_words` run did and how long it took.

    Pass an instance as ``count_words(..., stats=s)``; it is filled in when
    the call returns. ``merge_seconds`` is the parent's time to receive and
    merge the workers' results and apply ``min_count``/``top``.
    """

    texts: int = 0
    #: bytes of input text (UTF-8 bytes for an iterable source; for files,
    #: the bytes read after decompression)
    bytes: int = 0
    #: tokens counted (before ``min_count``/``top``)
    tokens: int = 0
    #: distinct words (before ``min_count``/``top``)
    words: int = 0
    #: tokens and distinct words dropped by ``word_filter`` (see :mod:`fastcount.filters`)
    filtered_tokens: int = 0
    filtered_words: int = 0
    workers: int = 0
    #: how the workers ran: "threads", "processes", or "in-process" (one
    #: worker: counted by the calling thread)
    backend: str = ""
    tokenizer: str = ""
    seconds: float = 0.0
    merge_seconds: float = 0.0

    @property
    def mb_per_s(self) -> float:
        """Throughput in MB (10**6 bytes) of input per second."""
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0

    @property
    def tokens_per_s(self) -> float:
        """Tokens counted per second."""
        return self.tokens / self.seconds if self.seconds else 0.0

    @property
    def merge_share(self) -> float:
        """Fraction of the wall time spent merging in the parent."""
        return self.merge_seconds / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """One line for humans: sizes, throughput, merge share."""
        return (
            f"{self.texts:,} texts, {self.bytes / 1e6:,.1f} MB, {self.tokens:,} tokens, "
            f"{self.words:,} distinct words in {self.seconds:.2f} s: "
            f"{self.mb_per_s:.2f} MB/s, {self.tokens_per_s:,.0f} tokens/s "
            f"({self.tokenizer}, {self.workers} worker{'s' if self.workers != 1 else ''}, "
            f"merge {self.merge_seconds:.3f} s = {self.merge_share:.1%})"
        ) + (
            f"; filters removed {self.filtered_tokens:,} tokens, {self.filtered_words:,} distinct words"
            if self.filtered_words else ""
        )


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
