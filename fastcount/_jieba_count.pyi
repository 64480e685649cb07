"""Type stub of fastcount._jieba_count (segment and count in C)."""

from typing import List, Literal, Sequence, Tuple, overload

import numpy as np
import numpy.typing as npt

from fastcount._jieba import Dictionary
from fastcount._vocab import Vocab

class ChunkCounter:
    """Counts jieba's tokens of many texts: feed(texts) then result()."""

    def __init__(self, dictionary: Dictionary, hmm: bool = ..., cut_all: bool = ...,
                 keep_whitespace: bool = ...) -> None: ...
    def feed(self, texts: Sequence[str]) -> int: ...
    def feed_utf8(self, data: bytes) -> int: ...
    def seen(self) -> int: ...
    @overload
    def result(self, vocab: Literal[False] = ...) -> Tuple[List[str], npt.NDArray[np.int64]]: ...
    @overload
    def result(self, vocab: Literal[True]) -> Tuple[Vocab, npt.NDArray[np.int64]]: ...
