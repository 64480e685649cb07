"""Type stub of fastcount.segmenter._pos_count (the POS chunk counter)."""

from typing import Callable, Iterable, Optional, Union

from fastcount.segmenter._count import ChunkCounter
from fastcount.segmenter._pos_cut import PosTagger

def tag_matcher(patterns: Union[str, Iterable[str]]) -> Callable[[str], bool]: ...

class PosChunkCounter(ChunkCounter):
    """Counts jieba.posseg's words of many texts, by (word, tag) or by word with a POS filter."""

    def __init__(self, tagger: PosTagger, hmm: bool = ..., keep_whitespace: bool = ...,
                 with_tags: bool = ..., tags: Optional[Union[str, Iterable[str]]] = ...) -> None: ...

class SharedRuns:
    """The second level of the run caches of one tagger's chunk counters, while several are alive."""
