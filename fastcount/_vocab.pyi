"""Type stub for fastcount._vocab (the Cython Vocab)."""

import os
from typing import Callable, Iterable, Iterator, Optional, SupportsIndex, TypeVar, Union, overload

import numpy as np
import numpy.typing as npt

_T = TypeVar("_T")
_StrPath = Union[str, "os.PathLike[str]"]

class Vocab:
    """Words <-> dense integer ids (0, 1, 2, ... in order of first sight)."""

    def __init__(self, words: Iterable[str] = ...) -> None: ...
    def add(self, word: str, /) -> int:
        """Add ``word`` if it is new and return its id."""
    def id_of(self, word: object, /) -> int:
        """The id of ``word``; KeyError if absent."""
    @overload
    def get(self, word: object) -> Optional[int]: ...
    @overload
    def get(self, word: object, default: _T) -> Union[int, _T]: ...
    def __contains__(self, word: object, /) -> bool: ...
    def word(self, i: SupportsIndex, /) -> str:
        """The word with id ``i``; IndexError if ``i`` is not an id."""
    def __getitem__(self, i: SupportsIndex, /) -> str: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def words(self) -> list[str]:
        """All words in id order."""
    def encode(self, words: Iterable[str]) -> npt.NDArray[np.int64]:
        """Ids of ``words`` (adding new ones) as an int64 array."""
    def add_from(
        self, other: "Vocab", ids: Optional[Union[npt.ArrayLike, Iterable[SupportsIndex]]] = None
    ) -> npt.NDArray[np.int64]:
        """Add ``other``'s words with ids ``ids`` (all when None); their ids here."""
    def decode(self, ids: Union[npt.ArrayLike, Iterable[SupportsIndex]]) -> list[str]:
        """Words of ``ids``."""
    def save(self, path: _StrPath) -> None:
        """Write one escaped word per line, atomically."""
    @classmethod
    def load(cls, path: _StrPath) -> "Vocab":
        """Read a file written by :meth:`save`."""
    def __reduce__(self) -> tuple[Callable[[bytes, bytes], "Vocab"], tuple[bytes, bytes]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __sizeof__(self) -> int: ...
    __hash__: None  # type: ignore[assignment]

def _unpickle_vocab(arena: bytes, lengths: bytes) -> Vocab: ...
# test hooks for the byte-level C API
def _c_intern_bytes(v: Vocab, word: bytes) -> int: ...
def _c_find_bytes(v: Vocab, word: bytes) -> int: ...
def _c_intern_own_slice(v: Vocab, wid: int, start: int, stop: int) -> int: ...
def _c_bare_table(
    words: list[bytes], expected: int
) -> tuple[list[int], list[int], list[int], list[bytes]]: ...
