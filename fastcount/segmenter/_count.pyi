"""Type stub of fastcount.segmenter._count (segment and count in C)."""

from typing import List, Tuple, Union

import numpy as np
import numpy.typing as npt

from fastcount._vocab import Vocab
from fastcount.io import Block
from fastcount.segmenter._dictionary import Dictionary
from fastcount.segmenter.tokenizer import Tokenizer

class ChunkCounter:
    """Counts jieba's tokens of many texts: feed(texts) / feed_block(block), then vocab_result()."""

    def __init__(self, tokenizer: Union[Tokenizer, Dictionary], hmm: bool = ..., cut_all: bool = ...,
                 keep_whitespace: bool = ...) -> None: ...
    def feed(self, texts: List[str]) -> int: ...
    def feed_block(self, block: Block) -> int: ...
    def seen(self) -> int: ...
    def vocab_result(self) -> Tuple[Vocab, npt.NDArray[np.int64]]: ...
