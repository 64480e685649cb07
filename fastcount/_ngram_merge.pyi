"""Type stub for fastcount._ngram_merge (the Cython k-way merge of n-gram runs)."""

import os
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from fastcount._ngrams import NgramTable
from fastcount._vocab import Vocab

_Source = Union[str, "os.PathLike[str]", NgramTable, Tuple[Vocab, npt.NDArray[np.int64]]]

class Merge:
    """A one-shot k-way merge of n-gram sources into exact counts."""

    def __init__(self, sources: Iterable[_Source], *, lo: Optional[bytes] = ...,
                 hi: Optional[bytes] = ..., indexes: Optional[Sequence[Optional[bytes]]] = ...) -> None: ...
    @property
    def distinct(self) -> int: ...
    @property
    def total(self) -> int: ...
    def to_vocab(self, min_count: int = ..., *, joined: bool = ...) -> Tuple[Vocab, npt.NDArray[np.int64]]:
        """The n-grams counted at least ``min_count`` times, in byte order, and their counts."""
    def write_tsv(self, write: Callable[[bytes], object], min_count: int = ...) -> int:
        """Write ``ngram<TAB>count`` lines through ``write``; the lines written."""
    def to_run(self, path: Union[str, "os.PathLike[str]"]) -> int:
        """Write the merged n-grams as one run file; their number."""
    def batch(self, size: int, min_count: int = ...) -> List[Tuple[str, int]]:
        """Up to ``size`` of the next ``(ngram, count)`` pairs; empty at the end."""

def append_sorted(lower: Vocab, upper: Vocab) -> None:
    """Append ``upper``'s words to ``lower``: Vocabs in byte order, upper's all above lower's."""
