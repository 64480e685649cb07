"""Type stub for fastcount._hashcounter (the Cython HashCounter)."""
from typing import Any, Iterable, Iterator, Mapping, Optional, SupportsIndex, Union, overload

import numpy as np
import numpy.typing as npt

# An integer buffer (numpy int8..uint64, array.array, memoryview, bytes) or
# an iterable of ints; a mapping of key -> count; or another HashCounter.
_Keys = Union[npt.ArrayLike, Iterable[SupportsIndex], Mapping[int, int], "HashCounter"]
_Counts = Union[npt.ArrayLike, Iterable[SupportsIndex]]

class HashCounter:
    """Exact counts of signed 64-bit integer keys (a Counter for int ids).

    A missing key counts 0; a key may be present with a count of 0 or below.
    Counts are int64: an addition that would leave that range raises
    OverflowError and changes nothing. ``most_common`` breaks ties by key,
    ascending. Iteration order follows the table and is otherwise unspecified.
    """

    def __init__(self, keys: Optional[_Keys] = None, counts: Optional[_Counts] = None) -> None:
        """Start empty, or with ``add(keys, counts)``."""
    @overload
    def add(self, keys: SupportsIndex, counts: Optional[SupportsIndex] = None) -> None:
        """Add 1 (or ``n``) to one key."""
    @overload
    def add(self, keys: _Keys, counts: Optional[_Counts] = None) -> None:
        """Add each ``counts[i]`` (default 1) to ``keys[i]`` of a batch; a failed
        call names the offending position (``keys[17]: ...``) and leaves the
        counter unchanged."""
    def merge(self, other: HashCounter) -> None:
        """Add every count of ``other``; all-or-nothing."""
    def reserve(self, n: int) -> None:
        """Grow now so that ``n`` keys in all fit without resizing."""
    def clear(self) -> None:
        """Remove every key and release the table's memory."""
    def __setitem__(self, key: SupportsIndex, n: SupportsIndex) -> None:
        """Set the count of ``key`` (it becomes present)."""
    def __delitem__(self, key: SupportsIndex) -> None:
        """Remove ``key``; no error when absent (like collections.Counter)."""
    def discard(self, key: SupportsIndex) -> None:
        """Remove ``key`` if present."""
    def __getitem__(self, key: SupportsIndex) -> int:
        """The count of ``key``; 0 when absent."""
    def get(self, key: SupportsIndex, default: Any = None) -> Any:
        """The count of ``key`` if present, else ``default``."""
    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is present."""
    def __len__(self) -> int:
        """The number of present keys."""
    def __iter__(self) -> Iterator[int]:
        """The present keys, in table order."""
    def total(self) -> int:
        """The sum of all counts (a Python int; may exceed int64)."""
    def to_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(keys, counts)`` as new int64 numpy arrays, in table order."""
    def keys(self) -> list[int]:
        """The present keys, in table order."""
    def values(self) -> list[int]:
        """The counts, in the order of ``keys()``."""
    def items(self) -> list[tuple[int, int]]:
        """``(key, count)`` pairs, in the order of ``keys()``."""
    def most_common(self, k: Optional[SupportsIndex] = None) -> list[tuple[int, int]]:
        """The ``k`` largest counts (all when None): count descending, then key ascending."""
    def copy(self) -> HashCounter:
        """An independent copy."""
    def __copy__(self) -> HashCounter: ...
    def __eq__(self, other: object) -> bool:
        """Same keys with the same counts (order-free); only HashCounters compare equal."""
    def __ne__(self, other: object) -> bool: ...
    __hash__: None  # type: ignore[assignment]
    def __reduce__(self) -> tuple[Any, ...]: ...
    @property
    def capacity(self) -> int:
        """Cells in the table (a power of two; it doubles at 3/4 load)."""
    @property
    def nbytes(self) -> int:
        """Bytes held by the table (16 per cell)."""
