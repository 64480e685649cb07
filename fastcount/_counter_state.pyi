"""Type stub for fastcount._counter_state: pickle state and Counter.from_vocab."""
from typing import Any

import numpy as np
import numpy.typing as npt

from fastcount._counter_core import CounterCore
from fastcount._vocab import Vocab

def getstate(c: CounterCore) -> tuple[Any, ...]: ...
def setstate(c: CounterCore, state: tuple[Any, ...]) -> None: ...
def from_vocab(c: CounterCore, vocab: Vocab, counts: npt.NDArray[np.int64]) -> None: ...
