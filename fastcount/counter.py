"""fastcount.Counter: a drop-in for ``collections.Counter``, built for words.

``str`` keys are stored once, as UTF-8, in the counter's own :class:`Vocab`;
their counts live in an array indexed by the word's (dense) id. Any other
hashable key (ints, tuples, ...) works too: it gets a small id from a dict on
the side. Key order is dict order, as in ``collections.Counter``: insertion
order, a deleted key that comes back goes to the end, ``most_common`` breaks
ties by that order, and ``repr``, ``elements()`` and the results of ``+ - | &``
come out exactly as ``collections.Counter`` gives them.

Differences from ``collections.Counter``, all deliberate:

* Counts are 64-bit integers. A count that is not an integer (float, str,
  None, bool) raises TypeError; one outside the int64 range, or an update that
  would take a count there, raises OverflowError. ``total()`` is exact (a
  Python int) even when the sum leaves int64.
* Batch updates are all or nothing: ``update``/``subtract``/``update_counts``
  and the in-place operators either apply completely or raise and leave the
  counter unchanged (collections stops half-way). Errors about one element name
  its position.
* ``str`` subclass keys are stored as plain ``str`` (the word's text is kept,
  not the object).
* It is a registered ``collections.abc.MutableMapping``, not a ``dict``:
  ``isinstance(c, dict)`` is False and ``json.dumps(c)`` needs ``dict(c)``.
* A key's ``__hash__``/``__eq__`` that changes a counter while an operation
  is using it gets RuntimeError (collections gives undefined results).
* Binary operators also accept a ``collections.Counter`` on either side (the
  result is a ``fastcount.Counter``); comparisons with one use multiset
  semantics too.
"""
import heapq
import types
from collections import Counter as _PyCounter
from collections.abc import ItemsView, KeysView, Mapping, MutableMapping, ValuesView
from itertools import chain as _chain
from itertools import repeat as _repeat
from itertools import starmap as _starmap
from operator import itemgetter as _itemgetter

from fastcount import _counter_algebra as _algebra
from fastcount import _counter_batch as _batch
from fastcount import _counter_state as _state
from fastcount._counter_core import CounterCore

__all__ = ["Counter"]

_COUNTERS = None  # (Counter, collections.Counter), set below


class _KeysView(KeysView):
    """Live view of a Counter's keys (set operations give sets, as dict_keys)."""

    __slots__ = ()

    def __iter__(self):
        return self._mapping._iter(0, False)

    def __reversed__(self):
        return self._mapping._iter(0, True)

    def __repr__(self):
        return f"dict_keys({list(self)!r})"


class _ValuesView(ValuesView):
    """Live view of a Counter's counts."""

    __slots__ = ()

    def __iter__(self):
        return self._mapping._iter(1, False)

    def __reversed__(self):
        return self._mapping._iter(1, True)

    def __repr__(self):
        return f"dict_values({list(self)!r})"


class _ItemsView(ItemsView):
    """Live view of a Counter's (key, count) pairs."""

    __slots__ = ()

    def __iter__(self):
        return self._mapping._iter(2, False)

    def __reversed__(self):
        return self._mapping._iter(2, True)

    def __contains__(self, item):
        # as dict_items: only a present key counts (a missing key is not (key, 0))
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        key, value = item
        if key not in self._mapping:
            return False
        v = self._mapping[key]
        return v is value or v == value

    def __repr__(self):
        return f"dict_items({list(self)!r})"


def _is_counter(obj):
    return isinstance(obj, _COUNTERS)


class Counter(CounterCore):
    """Dict-like counter of hashable items, tuned for ``str`` words.

    Behaves like ``collections.Counter`` (see the module docstring for the
    few deliberate differences): ``Counter(iterable)``, ``Counter(mapping)``,
    ``Counter(**kwds)``; missing keys count 0; ``most_common``, ``elements``,
    ``total``, ``update``, ``subtract``, ``+ - | &`` and their in-place forms,
    multiset comparisons, ``copy``, pickling. ``update_counts(words, counts)``
    adds a batch of (word, count) pairs given as two parallel sequences;
    ``Counter.from_vocab(vocab, counts)`` builds one from counts by word id.
    """

    # no __slots__: instances take attributes and weak references, as
    # collections.Counter instances do
    __class_getitem__ = classmethod(types.GenericAlias)

    def __init__(self, iterable=None, /, **kwds):
        """Count the elements of ``iterable``, or take the counts of a mapping,
        then add the counts given as keywords."""
        self.update(iterable, **kwds)

    def __missing__(self, key):
        """The count of a missing key is zero (it is not inserted)."""
        return 0

    @classmethod
    def fromkeys(cls, iterable, v=None):
        """Not defined for counters, as in collections.Counter: use Counter(iterable)."""
        raise NotImplementedError(
            'Counter.fromkeys() is undefined.  Use Counter(iterable) instead.')

    @classmethod
    def from_vocab(cls, vocab, counts):
        """A counter of the words of a :class:`fastcount.Vocab` counted by id.

        ``counts`` is a one-dimensional int64 numpy array with ``counts[i]``
        the count of word ``i`` of ``vocab`` (what a chunk counter's
        ``vocab_result()`` returns). Words counted 0 are not keys; key order
        is id order. No ``str`` is made per word, so this is the fast way
        from counting on word ids (``Vocab.encode`` + ``numpy.bincount``,
        a ``HashCounter``) to a Counter::

            vocab = Vocab()
            ids = vocab.encode(tokens)
            c = Counter.from_vocab(vocab, np.bincount(ids, minlength=len(vocab)))

        The counter takes ``vocab`` over (or copies the words it keeps from
        it): the caller must not use ``vocab`` afterwards. Raises TypeError
        for a vocab that is not a Vocab or counts that are not an int64 array,
        ValueError when the lengths differ or a count is negative (naming the
        index); ``vocab`` is then untouched and no counter is made.
        """
        import numpy as np

        from fastcount._vocab import Vocab

        if not isinstance(vocab, Vocab):
            raise TypeError(f"Counter.from_vocab: vocab must be a fastcount.Vocab, "
                            f"not {type(vocab).__name__}")
        if not isinstance(counts, np.ndarray) or counts.dtype != np.int64:
            what = (f"an array of {counts.dtype}" if isinstance(counts, np.ndarray)
                    else type(counts).__name__)
            raise TypeError(f"Counter.from_vocab: counts must be an int64 numpy array, not {what}")
        if counts.ndim != 1:
            raise ValueError(f"Counter.from_vocab: counts must be one-dimensional, "
                             f"not {counts.ndim}-d")
        result = cls.__new__(cls)
        _state.from_vocab(result, vocab, np.ascontiguousarray(counts))
        return result

    def to_vocab(self):
        """The counter as ``(vocab, counts)``: a new :class:`fastcount.Vocab`
        of its keys in key order and an int64 numpy array with ``counts[i]``
        the count of word ``i`` (zero and negative counts included), the
        inverse of :meth:`from_vocab` for positive counts. No ``str`` is made
        per word. Raises TypeError when a key is not a ``str`` (naming it).
        """
        return _state.to_vocab(self)

    # ------------------------------------------------------------ updates

    def update(self, iterable=None, /, **kwds):
        """Add counts: one per element of an iterable, or a mapping's counts,
        then the keyword counts. All or nothing: on error nothing is added."""
        if iterable is not None:
            if isinstance(iterable, Mapping):
                _batch.add_mapping(self, iterable, 1)
            else:
                _batch.add_iterable(self, iterable, 1)
        if kwds:
            _batch.add_mapping(self, kwds, 1)

    def subtract(self, iterable=None, /, **kwds):
        """Subtract counts (an iterable's elements one each, or a mapping's
        counts, then the keyword counts); counts may go to zero or below."""
        if iterable is not None:
            if isinstance(iterable, Mapping):
                _batch.add_mapping(self, iterable, -1)
            else:
                _batch.add_iterable(self, iterable, -1)
        if kwds:
            _batch.add_mapping(self, kwds, -1)

    def update_counts(self, words, counts):
        """Add ``counts[i]`` to ``words[i]`` for every i, all or nothing.

        ``words``: a list or tuple of keys (normally str; any hashable works).
        ``counts``: a parallel integer buffer (numpy array, ``array.array``,
        memoryview) or sequence of ints, as long as ``words``. New keys are
        inserted in the order of ``words``; repeated words add up. Raises
        ValueError for differing lengths, TypeError for a non-integer count or
        an unhashable word and OverflowError for a count outside int64, naming
        the position; the counter is then unchanged.
        """
        if isinstance(words, (str, bytes)) or not isinstance(words, (list, tuple)):
            if isinstance(words, (str, bytes)) or not hasattr(words, "__iter__"):
                raise TypeError(f"update_counts: words must be a list of str, "
                                f"not {type(words).__name__}")
            words = list(words)
        _batch.add_pairs(self, words, _as_int64(counts), 1)

    # ------------------------------------------------------------ queries

    def keys(self):
        """A live view of the keys, in order."""
        return _KeysView(self)

    def values(self):
        """A live view of the counts, in key order."""
        return _ValuesView(self)

    def items(self):
        """A live view of the (key, count) pairs, in order."""
        return _ItemsView(self)

    def most_common(self, n=None):
        """The ``n`` most common (key, count) pairs, most common first (all if
        ``n`` is None); equal counts keep key order, as in collections.Counter."""
        if n is None or (type(n) is int and n >= 1):
            import numpy as np

            kb, cb, layout = self._order_counts()
            encs = np.frombuffer(kb, dtype=np.int64)
            counts = np.frombuffer(cb, dtype=np.int64)
            size = len(counts)
            if n is not None and n < size:
                # keep the n largest: all above the n-th largest count, then
                # the first ones (in key order) equal to it
                kth = np.partition(counts, size - n)[size - n]
                above = counts > kth
                equal = np.flatnonzero(counts == kth)[: n - int(above.sum())]
                keep = above
                keep[equal] = True
                encs = encs[keep]
                counts = counts[keep]
            # ~c reverses the order without overflow; a stable sort keeps key order
            idx = np.argsort(~counts, kind="stable")
            return self._pairs(encs[idx], counts[idx], layout)
        if type(n) is int:
            return []
        # odd n (float, bool, ...): whatever heapq does with it, as collections
        return heapq.nlargest(n, self.items(), key=_itemgetter(1))

    def elements(self):
        """Iterator over the keys, each repeated as many times as its count
        (keys with a count of zero or below are skipped)."""
        return _chain.from_iterable(_starmap(_repeat, self.items()))

    def total(self):
        """Sum of the counts (exact Python int)."""
        return CounterCore.total(self)

    def copy(self):
        """A shallow copy (same class, same order and counts)."""
        return self.__class__(self)

    def __reduce__(self):
        """Pickle compactly: one UTF-8 blob of the words, their byte lengths
        (in the narrowest integer width that holds them) and the counts as
        varints; about 9 bytes per distinct Chinese word."""
        return _rebuild, (self.__class__, _state.getstate(self))

    def __repr__(self):
        """``Counter({...})`` with the keys most common first, as collections.Counter."""
        if not self:
            return f"{self.__class__.__name__}()"
        return f"{self.__class__.__name__}({dict(self.most_common())!r})"

    # ------------------------------------------------------------ comparisons

    def __eq__(self, other):
        """True if all counts agree; missing counts are treated as zero."""
        if isinstance(other, CounterCore):
            return _algebra.compare(self, other, 0)
        if _is_counter(other):
            return all(self[e] == other[e] for c in (self, other) for e in c)
        if isinstance(other, dict):
            # what dict equality gives a collections.Counter compared with a dict
            return dict(self.items()) == other
        return NotImplemented

    def __ne__(self, other):
        """True if any counts disagree; missing counts are treated as zero."""
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __le__(self, other):
        """True if every count in self is <= the count in other."""
        if isinstance(other, CounterCore):
            return _algebra.compare(self, other, 1)
        if not _is_counter(other):
            return NotImplemented
        return all(self[e] <= other[e] for c in (self, other) for e in c)

    def __lt__(self, other):
        """True if self <= other and they differ."""
        if not _is_counter(other):
            return NotImplemented
        return self <= other and self != other

    def __ge__(self, other):
        """True if every count in self is >= the count in other."""
        if isinstance(other, CounterCore):
            return _algebra.compare(self, other, 2)
        if not _is_counter(other):
            return NotImplemented
        return all(self[e] >= other[e] for c in (self, other) for e in c)

    def __gt__(self, other):
        """True if self >= other and they differ."""
        if not _is_counter(other):
            return NotImplemented
        return self >= other and self != other

    __hash__ = None

    # ------------------------------------------------------------ arithmetic

    def __add__(self, other):
        """Add counts; keep only positive results."""
        return _add(self, other) if _is_counter(other) else NotImplemented

    def __radd__(self, other):
        """``other + self`` for a collections.Counter ``other``."""
        return _add(other, self) if _is_counter(other) else NotImplemented

    def __sub__(self, other):
        """Subtract counts; keep only positive results."""
        return _sub(self, other) if _is_counter(other) else NotImplemented

    def __rsub__(self, other):
        """``other - self`` for a collections.Counter ``other``."""
        return _sub(other, self) if _is_counter(other) else NotImplemented

    def __or__(self, other):
        """Union: the maximum of the counts; keep only positive results.
        With a plain dict: dict union, as collections.Counter gives."""
        if _is_counter(other):
            return _or(self, other)
        if isinstance(other, dict):
            return type(other).__ror__(other, dict(self.items()))
        return NotImplemented

    def __ror__(self, other):
        """``other | self``: union with a collections.Counter, dict union with a dict."""
        if _is_counter(other):
            return _or(other, self)
        if isinstance(other, dict):
            return other | dict(self.items())
        return NotImplemented

    def __and__(self, other):
        """Intersection: the minimum of the counts; keep only positive results."""
        return _and(self, other) if _is_counter(other) else NotImplemented

    def __rand__(self, other):
        """``other & self`` for a collections.Counter ``other``."""
        return _and(other, self) if _is_counter(other) else NotImplemented

    def __pos__(self):
        """The positive counts only."""
        result = Counter()
        _algebra.combine_into(result, self, self, 4)
        return result

    def __neg__(self):
        """The negative counts, negated."""
        result = Counter()
        _algebra.combine_into(result, self, self, 5)
        return result

    def __iadd__(self, other):
        """Add other's counts in place, then drop counts that are not positive."""
        _batch.add_mapping(self, _as_mapping(other), 1)
        return _batch.keep_positive(self)

    def __isub__(self, other):
        """Subtract other's counts in place, then drop counts that are not positive."""
        _batch.add_mapping(self, _as_mapping(other), -1)
        return _batch.keep_positive(self)

    def __ior__(self, other):
        """In-place union (maximum of the counts), then drop non-positive counts."""
        _batch.set_pairs(self, [(elem, n) for elem, n in other.items() if n > self[elem]])
        return _batch.keep_positive(self)

    def __iand__(self, other):
        """In-place intersection (minimum of the counts), then drop non-positive counts."""
        _batch.set_pairs(self, [(elem, other_count) for elem, count in self.items()
                         if (other_count := other[elem]) < count])
        return _batch.keep_positive(self)


_COUNTERS = (Counter, _PyCounter)
MutableMapping.register(Counter)


def _as_mapping(other):
    """The in-place operators take any object with items(), as collections does."""
    if isinstance(other, Mapping) or hasattr(other, "items"):
        return other
    raise TypeError(f"'{type(other).__name__}' object has no attribute 'items'")


def _binary(a, b, op, combine, keep_rest):
    """Result of a binary operator, key order as collections.Counter builds it:
    a's keys in order, then b's keys that a lacks (op: the code of _counter_algebra.combine_into)."""
    if isinstance(a, CounterCore) and isinstance(b, CounterCore):
        result = Counter()
        _algebra.combine_into(result, a, b, op)
        return result
    keys = []
    counts = []
    for elem, count in a.items():
        n = combine(count, b[elem])
        if n > 0:
            keys.append(elem)
            counts.append(n)
    if keep_rest is not None:
        for elem, count in b.items():
            if elem not in a:
                n = keep_rest(count)
                if n > 0:
                    keys.append(elem)
                    counts.append(n)
    result = Counter()
    _batch.add_pairs(result, keys, _as_int64(counts, keys), 1)
    return result


def _add(a, b):
    return _binary(a, b, 0, lambda x, y: x + y, lambda y: y)


def _sub(a, b):
    return _binary(a, b, 1, lambda x, y: x - y, lambda y: -y)


def _or(a, b):
    return _binary(a, b, 2, lambda x, y: y if x < y else x, lambda y: y)


def _and(a, b):
    return _binary(a, b, 3, lambda x, y: x if x < y else y, None)


def _rebuild(cls, state):
    """Unpickle: a new ``cls`` filled from _counter_state.getstate()'s tuple."""
    obj = cls.__new__(cls)
    _state.setstate(obj, state)
    return obj


def _as_int64(counts, keys=None):
    """counts as a C-contiguous int64 numpy array, with errors naming the position
    (or, given the parallel ``keys`` of a result being built, the key)."""
    import numpy as np

    if isinstance(counts, np.ndarray) or _has_buffer(counts):
        arr = np.asarray(counts)
        if arr.ndim != 1:
            raise TypeError(f"update_counts: counts must be one-dimensional, not {arr.ndim}-d")
        if arr.dtype.kind == "b":
            raise TypeError("update_counts: counts must be integers, not a bool array")
        if arr.dtype.kind == "u" and arr.dtype.itemsize == 8:
            big = np.flatnonzero(arr > np.uint64(2**63 - 1))
            if len(big):
                raise OverflowError(f"update_counts: count {arr[big[0]]} at position {big[0]} "
                                    f"is outside the int64 range")
        elif arr.dtype.kind not in "iu":
            raise TypeError(f"update_counts: counts must be integers, not a {arr.dtype} array")
        return np.ascontiguousarray(arr, dtype=np.int64)
    if isinstance(counts, (str, bytes)) or not hasattr(counts, "__iter__"):
        raise TypeError(f"update_counts: counts must be an integer buffer or a sequence of "
                        f"ints, not {type(counts).__name__}")
    out = []
    for i, c in enumerate(counts):
        if isinstance(c, bool) or not hasattr(type(c), "__index__"):
            raise TypeError(f"update_counts: counts must be integers, not {type(c).__name__} "
                            f"(position {i})")
        c = c.__index__()
        if not -(2**63) <= c < 2**63:
            if keys is not None:
                raise OverflowError(f"count {c} for key {keys[i]!r} is outside the int64 range "
                                    f"(fastcount.Counter counts are 64-bit)")
            raise OverflowError(f"update_counts: count {c} at position {i} is outside the "
                                f"int64 range")
        out.append(c)
    return np.array(out, dtype=np.int64)


def _has_buffer(obj):
    try:
        memoryview(obj)
    except TypeError:
        return False
    return True
