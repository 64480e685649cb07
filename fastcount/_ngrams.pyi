"""Type stub for fastcount._ngrams (the Cython NgramTable)."""

import os
from typing import Callable, Iterable, List, Literal, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from fastcount._vocab import Vocab

MAX_N: int

class NgramTable:
    """Exact counts of the n-grams of orders ``lo..hi`` of the texts fed."""

    def __init__(
        self,
        lo: int,
        hi: int,
        unit: Literal["char", "word"] = ...,
        *,
        tokenize: Optional[Callable[[str], Iterable[str]]] = ...,
        keep_punct: bool = ...,
        limit: int = ...,
        spill_prefix: Union[None, str, "os.PathLike[str]"] = ...,
    ) -> None: ...
    def feed(self, texts: Sequence[str]) -> Optional[int]:
        """Count the n-grams of ``texts``; their UTF-8 size (None for word n-grams)."""
    def feed_utf8(self, data: bytes) -> int:
        """Count the character n-grams of UTF-8 lines; their number, or -1 (not strict UTF-8)."""
    def feed_block(self, block: object) -> int:
        """Count a :class:`fastcount.io.Block`'s lines; their number, or -1 (decode it in Python)."""
    def feed_tokens(self, docs: Iterable[Iterable[str]]) -> None:
        """Count the word n-grams of token lists, one per text."""
    def add_counts(self, vocab: Vocab, counts: npt.ArrayLike) -> None:
        """Count every word of ``vocab`` ``counts[id]`` times, as an n-gram."""
    def abort(self) -> None:
        """Make the counting stop soon and write no more runs (any thread)."""
    @property
    def busy(self) -> bool: ...
    def spill(self) -> None:
        """Write what is in memory as a run now."""
    def finish(self) -> None:
        """Sort the n-grams in memory into byte order; no more feeding after."""
    def vocab_result(self, *, take: bool = False) -> Tuple[Vocab, npt.NDArray[np.int64]]:
        """The n-grams in memory (first sight) and their counts; the table is
        unchanged, or with ``take`` empty (its memory handed over or freed)."""
    def sorted_vocab(self) -> Tuple[Vocab, npt.NDArray[np.int64]]:
        """The n-grams in memory in byte order and their counts (finishes the table)."""
    @property
    def runs(self) -> List[str]: ...
    @property
    def run_indexes(self) -> List[bytes]: ...
    @property
    def total(self) -> int: ...
    @property
    def texts(self) -> int: ...
    @property
    def spilled(self) -> int: ...
    @property
    def orders(self) -> Tuple[int, int]: ...
    def seen(self) -> int:
        """Distinct n-grams in memory now."""
    def memory(self) -> int:
        """Bytes the table's arrays hold now."""

def first_sight_merge(
    tables: Sequence[NgramTable], segments: Iterable[Tuple[int, int, int]]
) -> Tuple[Vocab, npt.NDArray[np.int64]]:
    """The sum of the tables' in-memory n-grams, ids taken by segments ``(table, start, end)``."""
