"""Type stub of fastcount.segmenter._count (segment and count in C)."""

from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from fastcount._vocab import Vocab
from fastcount.io import Block
from fastcount.segmenter._dictionary import Dictionary
from fastcount.segmenter.tokenizer import Tokenizer

class ChunkCounter:
    """Counts jieba's tokens of many texts: feed(texts) / feed_block(block), then vocab_result()."""

    def __init__(self, tokenizer: Union[Tokenizer, Dictionary], hmm: bool = ..., cut_all: bool = ...,
                 keep_whitespace: bool = ..., documents: Optional[str] = ...,
                 join: Optional[bytes] = ..., keep_word: Optional[Callable[[str], bool]] = ...) -> None: ...
    def begin_document(self, doc: int, shared: bool) -> None:
        """With documents="file": the texts fed from now on belong to document doc."""
    def feed(self, texts: List[str]) -> int: ...
    def feed_block(self, block: Block) -> int: ...
    def seen(self) -> int: ...
    def take_joined(self) -> bytes:
        """Join mode: the lines written since the last call."""
    def vocab_result(self) -> Tuple[Any, ...]:
        """(vocab, counts); with documents (vocab, counts, dfs, documents[, shared words])."""
