"""Type stub of fastcount._filters (character facts about a Vocab's words, in C)."""

from typing import Tuple

import numpy as np
import numpy.typing as npt

from fastcount._vocab import Vocab

def char_facts(vocab: Vocab) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
    """Each word's length in code points, and the distinct code points of all words."""

def only_chars(vocab: Vocab, bitset: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """By id: whether every character of the word is in the 0x110000-bit set."""
