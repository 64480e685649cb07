"""Word filters, applied to the counted words after segmentation, never before.

Removing punctuation or stopwords from the text before segmenting changes
jieba's tokens; filtering the distinct words after counting does not, so
every word kept keeps its exact count. A :class:`WordFilter` says which words
to drop:

* ``stopwords``: any iterable of words (:func:`load_stopwords` reads a file:
  one word per line, UTF-8, a BOM tolerated);
* ``drop_punct``: words made only of punctuation and symbols, every
  character in a Unicode category ``P*`` or ``S*`` (``，``, ``。``, ``!?``,
  ``￥``, emoji; the empty word of jieba's full mode too, having no other
  character);
* ``min_len`` / ``max_len``: length in characters (code points);
* ``include`` / ``exclude``: regexes; a word is kept only if ``include``
  matches somewhere in it (``re.search``) and ``exclude`` matches nowhere.

``count_words(..., word_filter=WordFilter(...))`` applies it to the merged
counts (its ``CountStats`` says how many tokens and distinct words were
removed), before ``min_count`` and ``top``. :meth:`WordFilter.keep` is the
rule for one word; :meth:`WordFilter.mask` applies it to a whole
:class:`fastcount.Vocab` in C, without a str per word (regexes aside, which
see only the words the other filters keep).
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import TYPE_CHECKING, Iterable, List, Optional, Union

import numpy as np

from fastcount.io import InputError
from fastcount.options import whole_number

if TYPE_CHECKING:
    from fastcount._vocab import Vocab
    from fastcount.merge import PartialCount

__all__ = ["WordFilter", "load_stopwords", "is_punct", "check_filter"]

_Path = Union[str, "os.PathLike[str]"]
_Regex = Union[str, "re.Pattern[str]", None]


def is_punct(word: str) -> bool:
    """Whether every character of ``word`` is punctuation or a symbol
    (Unicode category ``P*`` or ``S*``); True for ``""``."""
    return all(unicodedata.category(c)[0] in "PS" for c in word)


def load_stopwords(path: _Path) -> List[str]:
    """The words of a stopword file: one per line, UTF-8 (a BOM at the start
    is dropped), whitespace around a word ignored, blank lines skipped.

    Raises :class:`OSError` naming the file when it cannot be read, and
    :class:`fastcount.InputError` naming file and line where it is not UTF-8.
    """
    with open(path, "rb") as f:
        data = f.read()
    name = os.fspath(path)
    words = []
    for lineno, line in enumerate(data.split(b"\n"), 1):
        if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            word = line.decode("utf-8").strip()
        except UnicodeDecodeError as err:
            raise InputError(
                f"{name}:{lineno}: stopword file is not UTF-8 ({err.reason} at byte {err.start + 1} "
                "of the line); save it as UTF-8",
                path=name,
            ) from None
        if word:
            words.append(word)
    return words


def _compiled(name: str, pattern: _Regex) -> Optional["re.Pattern[str]"]:
    if pattern is None or isinstance(pattern, re.Pattern):
        return pattern
    if not isinstance(pattern, str):
        raise TypeError(f"{name} must be a regex (str or compiled), not {type(pattern).__name__}")
    try:
        return re.compile(pattern)
    except re.error as err:
        raise ValueError(f"{name} {pattern!r} is not a valid regex: {err}") from None


class WordFilter:
    """Which counted words to drop (see the module's documentation).

    ``WordFilter(stopwords=(), *, drop_punct=False, min_len=None, max_len=None,
    include=None, exclude=None)``; a filter with no option keeps every word.
    Options are checked here: a bad one raises TypeError or ValueError
    naming it. Picklable.
    """

    def __init__(
        self,
        stopwords: Iterable[str] = (),
        *,
        drop_punct: bool = False,
        min_len: Optional[int] = None,
        max_len: Optional[int] = None,
        include: _Regex = None,
        exclude: _Regex = None,
    ):
        if isinstance(stopwords, (str, bytes)):
            raise TypeError("stopwords must be an iterable of words, not one str "
                            "(a file: fastcount.filters.load_stopwords(path))")
        self.stopwords = frozenset(stopwords)
        bad = next((w for w in self.stopwords if not isinstance(w, str)), None)
        if bad is not None:
            raise TypeError(f"stopwords must be str, not {type(bad).__name__} {bad!r}")
        self.drop_punct = bool(drop_punct)
        self.min_len = whole_number("min_len", min_len, 0, none=True)
        self.max_len = whole_number("max_len", max_len, 0, none=True)
        if self.min_len is not None and self.max_len is not None and self.min_len > self.max_len:
            raise ValueError(f"min_len ({self.min_len}) is above max_len ({self.max_len}): no word is kept")
        self.include = _compiled("include", include)
        self.exclude = _compiled("exclude", exclude)

    def __bool__(self) -> bool:
        """False for a filter that keeps every word."""
        return bool(self.stopwords or self.drop_punct or self.min_len or self.max_len is not None
                    or self.include is not None or self.exclude is not None)

    def __repr__(self) -> str:
        options = [f"{len(self.stopwords)} stopwords"] if self.stopwords else []
        options += [f"{k}={v!r}" for k, v in vars(self).items() if k != "stopwords" and v not in (None, False)]
        return f"WordFilter({', '.join(options)})"

    def __eq__(self, other) -> bool:
        return isinstance(other, WordFilter) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def keep(self, word: str) -> bool:
        """Whether ``word`` passes the filter."""
        if word in self.stopwords:
            return False
        if self.min_len is not None and len(word) < self.min_len:
            return False
        if self.max_len is not None and len(word) > self.max_len:
            return False
        if self.drop_punct and is_punct(word):
            return False
        if self.include is not None and self.include.search(word) is None:
            return False
        return self.exclude is None or self.exclude.search(word) is None

    def mask(self, vocab: "Vocab") -> np.ndarray:
        """A bool array by id: ``keep(word)`` for every word of ``vocab``."""
        from fastcount import _filters

        keep = np.ones(len(vocab), dtype=np.bool_)
        for word in self.stopwords:
            i = vocab.get(word)
            if i is not None:
                keep[i] = False
        if self.min_len or self.max_len is not None or self.drop_punct:
            lengths, chars = _filters.char_facts(vocab)
            if self.min_len:
                keep &= lengths >= self.min_len
            if self.max_len is not None:
                keep &= lengths <= self.max_len
            if self.drop_punct:
                keep &= ~_filters.only_chars(vocab, _punct_bitset(chars))
        if self.include is not None or self.exclude is not None:
            ids = np.flatnonzero(keep)
            keep[ids] = [self.keep(word) for word in vocab.decode(ids)]
        return keep

    def filter_counts(self, counts):
        """A new :class:`fastcount.Counter` of the words of ``counts`` (a mapping
        word -> count) that pass, in their order."""
        from fastcount.counter import Counter

        kept = [w for w in counts if self.keep(w)]
        out = Counter()
        out.update_counts(kept, np.fromiter((counts[w] for w in kept), dtype=np.int64, count=len(kept)))
        return out

    def apply(self, part: "PartialCount", stats=None, tagged: bool = False) -> "PartialCount":
        """``part`` with the counts of the words dropped set to 0 (a new
        PartialCount sharing its Vocab; words counted 0 are not kept by
        :func:`fastcount.merge.finalize`). ``stats``, a
        :class:`fastcount.CountStats`, gets ``filtered_tokens`` and
        ``filtered_words``. ``tagged``: the partial's words are
        ``"word\0tag"`` (a count by part of speech): the word is filtered."""
        import dataclasses

        if tagged:
            keep = np.array([self.keep(w.partition("\0")[0]) for w in part.vocab], dtype=np.bool_)
        else:
            keep = self.mask(part.vocab)
        counts = np.where(keep, part.counts, 0)
        if stats is not None:
            stats.filtered_tokens = int(part.counts[~keep].sum())
            stats.filtered_words = len(keep) - int(np.count_nonzero(keep))
        return dataclasses.replace(part, counts=counts)


def check_filter(word_filter) -> Optional[WordFilter]:
    """``word_filter`` if it is None or a :class:`WordFilter`; else TypeError."""
    if word_filter is not None and not isinstance(word_filter, WordFilter):
        raise TypeError(f"word_filter must be a fastcount.filters.WordFilter or None, "
                        f"not {type(word_filter).__name__}")
    return word_filter


def _punct_bitset(chars: np.ndarray) -> np.ndarray:
    """A 0x110000-bit little-endian bit array with the bits of those of
    ``chars`` that are punctuation or symbols set."""
    ps = np.array([c for c in chars.tolist() if unicodedata.category(chr(c))[0] in "PS"], dtype=np.int64)
    bits = np.zeros(0x110000 // 8, dtype=np.uint8)
    np.bitwise_or.at(bits, ps >> 3, (1 << (ps & 7)).astype(np.uint8))
    return bits
