"""Type stub of fastcount.pipeline (see pipeline.py for the documentation)."""

import os
import re
from multiprocessing.context import BaseContext
from typing import Callable, Iterable, Literal, Optional, Sequence, Union

from fastcount.counter import Counter

_Path = Union[str, "os.PathLike[str]"]
#: texts, or a path/glob/directory/"-", or a list/tuple of paths holding an os.PathLike
Source = Union[_Path, Iterable[str], Sequence[_Path]]
TokenizerSpec = Union[str, "re.Pattern[str]", Callable[[str], Iterable[str]]]

DEFAULT_CHUNK_SIZE: int

class CountStats:
    texts: int
    bytes: int
    tokens: int
    words: int
    workers: int
    tokenizer: str
    seconds: float
    merge_seconds: float
    def __init__(
        self,
        texts: int = ...,
        bytes: int = ...,
        tokens: int = ...,
        words: int = ...,
        workers: int = ...,
        tokenizer: str = ...,
        seconds: float = ...,
        merge_seconds: float = ...,
    ) -> None: ...
    @property
    def mb_per_s(self) -> float: ...
    @property
    def tokens_per_s(self) -> float: ...
    @property
    def merge_share(self) -> float: ...
    def summary(self) -> str: ...

class RemoteTraceback(Exception):
    tb: str
    def __init__(self, tb: str) -> None: ...

class WorkerError(RuntimeError): ...

def count_words(
    source: Source,
    tokenizer: TokenizerSpec = "jieba",
    *,
    workers: Optional[int] = None,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[_Path] = None,
    min_count: int = 1,
    top: Optional[int] = None,
    keep_whitespace: bool = False,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    progress: bool = False,
    chunk_size: Optional[int] = None,
    stats: Optional[CountStats] = None,
    backend: Optional[Literal["threads", "processes"]] = None,
    mp_context: Union[None, str, BaseContext] = None,
) -> Counter: ...
def count_partition(
    texts: Iterable[str],
    tokenizer: TokenizerSpec = "jieba",
    *,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[_Path] = None,
    keep_whitespace: bool = False,
) -> Counter: ...
