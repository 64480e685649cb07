"""Type stub for fastcount._discover (the statistics of new-word discovery)."""

from typing import List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

from fastcount._ngram_merge import Merge, _Source
from fastcount._vocab import Vocab

def candidates(
    first: Merge,
    sources: List[_Source],
    max_len: int,
    min_count: int,
    *,
    indexes: Optional[Sequence[Optional[bytes]]] = ...,
    halves: bool = ...,
) -> Tuple[
    Vocab,
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    int,
]:
    """``(vocab, counts, chars, cohesion, left, right, total)`` of the merged character n-grams."""

def freedom_and_score(
    counts: npt.NDArray[np.int64],
    cohesion: npt.NDArray[np.float64],
    left: npt.NDArray[np.float64],
    right: npt.NDArray[np.float64],
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(freedom, score)``: min(left, right) and log count + cohesion + freedom, as Python adds them."""
