"""discover_words: new-word discovery from exact character n-gram counts.

The classic unsupervised method (Matrix67, "互联网时代的社会语言学：基于SNS的
文本数据挖掘", 2012, http://www.matrix67.com/blog/archives/5044; Su Jianlin,
"新词发现的信息熵方法与实现", 2015, https://kexue.fm/archives/3491): a string
of characters that occurs often, whose parts stick together far more than
chance would have them (cohesion), and that appears among many different
neighbouring characters on both sides (freedom) is probably a word.

The counts come from :func:`fastcount.ngrams.counted` (character n-grams of
orders ``1..max_len + 1``, in the memory budget, spilled and merged as it
needs), the statistics from :func:`fastcount._discover.candidates`, which
defines them exactly. For a candidate w (``2..max_len`` characters, counted
at least ``min_count`` times), with N the number of characters counted:

* cohesion(w) = log min over the two-way splits w = x + y of
  N * count(w) / (count(x) * count(y))  (nats);
* left_entropy(w), right_entropy(w): the entropy (nats) of the characters
  seen just before / after w; freedom(w) = the smaller of the two;
* score(w) = log count(w) + cohesion(w) + freedom(w).

A candidate is a new word when its cohesion and freedom reach the
thresholds and (with ``exclude_known``) the dictionary of the jieba
tokenizer (``fastcount.jieba.dt``'s, or jieba's plus ``user_dict``) does not hold it. New words
come most probable first: by score, ties by word.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import os
from dataclasses import dataclass, field
from typing import IO, List, NamedTuple, Optional

import numpy as np

from fastcount.ngrams import NgramSpec, NgramStats, counted, merge_sources, source_indexes
from fastcount.options import whole_number
from fastcount.pipeline import Source

__all__ = ["discover_words", "Candidate", "Discovery", "DEFAULT_MAX_LEN", "DEFAULT_MIN_COUNT",
           "DEFAULT_MIN_COHESION", "DEFAULT_MIN_FREEDOM"]

#: Longest word looked for, in characters.
DEFAULT_MAX_LEN = 4
#: Fewest occurrences of a new word.
DEFAULT_MIN_COUNT = 5
#: Least cohesion (nats): its parts together at least e**3 (about 20) times
#: as often as chance would have them.
DEFAULT_MIN_COHESION = 3.0
#: Least freedom (nats): as varied on both sides as about e (2.7) equally
#: likely neighbours.
DEFAULT_MIN_FREEDOM = 1.0


class Candidate(NamedTuple):
    """One candidate's statistics (see :mod:`fastcount.discover`)."""

    word: str
    count: int
    cohesion: float
    left_entropy: float
    right_entropy: float
    freedom: float
    score: float
    #: in the dictionary (None: not looked up)
    known: Optional[bool]
    #: a new word: passes every threshold (and is not known, when that excludes)
    new: bool


@dataclass
class Discovery:
    """The result of :func:`discover_words`: every candidate with its statistics,
    in code point order, and the new words among them."""

    candidates: List[Candidate]
    #: characters counted (N of the cohesion)
    chars: int
    stats: NgramStats = field(default_factory=NgramStats)

    @property
    def words(self) -> List[Candidate]:
        """The new words, most probable first (by score, ties by word)."""
        return sorted((c for c in self.candidates if c.new), key=lambda c: (-c.score, c.word))

    def write_dict(self, out: IO[str]) -> int:
        """Write the new words as a jieba user dictionary (``word count``
        lines, most probable first) to the text stream ``out``; return their number."""
        words = self.words
        out.writelines(f"{c.word} {c.count}\n" for c in words)
        return len(words)

    def write_stats(self, out: IO[str]) -> int:
        """Write every candidate's statistics as TSV with a header line
        (floats as Python's repr: exact) to ``out``; return their number."""
        out.write("word\tcount\tcohesion\tleft_entropy\tright_entropy\tfreedom\tscore\tknown\tnew\n")
        out.writelines(
            f"{c.word}\t{c.count}\t{c.cohesion!r}\t{c.left_entropy!r}\t{c.right_entropy!r}\t"
            f"{c.freedom!r}\t{c.score!r}\t{'' if c.known is None else int(c.known)}\t{int(c.new)}\n"
            for c in self.candidates
        )
        return len(self.candidates)


def _known(words: List[str], user_dict) -> List[bool]:
    """Which words the jieba tokenizer's dictionary holds (frequency > 0):
    the default tokenizer's (``fastcount.jieba.dt``, as changed), or the
    default dictionary plus ``user_dict``."""
    from fastcount.segmenter import tokenizer_for

    tokenizer = tokenizer_for(None, os.fspath(user_dict) if user_dict is not None else None)
    return [(tokenizer.get_FREQ(w) or 0) > 0 for w in words]


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection in the block (then as it was): the
    candidates are a hundred thousand tuples of numbers and strings, which
    cannot form cycles, and collections triggered by their allocation
    would walk them again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def discover_words(
    source: Source,
    *,
    max_len: int = DEFAULT_MAX_LEN,
    min_count: int = DEFAULT_MIN_COUNT,
    min_cohesion: float = DEFAULT_MIN_COHESION,
    min_freedom: float = DEFAULT_MIN_FREEDOM,
    exclude_known: bool = True,
    user_dict=None,
    keep_punct: bool = False,
    workers: Optional[int] = None,
    memory=None,
    tmpdir=None,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    progress: bool = False,
    chunk_size: Optional[int] = None,
    stats: Optional[NgramStats] = None,
    backend=None,
    mp_context=None,
) -> Discovery:
    """Find new words in a corpus by frequency, cohesion and freedom.

    Counts the character n-grams of ``1..max_len + 1`` characters of
    ``source`` exactly (the source, reading, worker and budget options of
    :func:`fastcount.count_ngrams`: n-grams never span whitespace, texts
    or, unless ``keep_punct``, punctuation) and returns a :class:`Discovery`
    holding the statistics of every candidate: ``2..max_len`` characters,
    counted at least ``min_count`` times. Its new words are the candidates
    with cohesion >= ``min_cohesion`` and freedom >= ``min_freedom``, not in
    the jieba dictionary (the default tokenizer's, or jieba's plus
    ``user_dict``) when
    ``exclude_known``. The formulas are in :mod:`fastcount.discover`.
    """
    from fastcount._discover import candidates, freedom_and_score
    from fastcount._ngram_merge import Merge

    max_len = whole_number("max_len", max_len, 2)
    min_count = whole_number("min_count", min_count, 1)
    for name, value in (("min_cohesion", min_cohesion), ("min_freedom", min_freedom)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise TypeError(f"{name} must be a number (nats), not {value!r}")
    stats = stats if stats is not None else NgramStats()
    spec = NgramSpec(f"char 1-{max_len + 1}", 1, max_len + 1, "char", None, keep_punct)
    with counted(
        source, spec, stats, workers=workers, memory=memory, tmpdir=tmpdir, backend=backend,
        mp_context=mp_context, chunk_size=chunk_size, encoding=encoding, errors=errors,
        field=field, progress=progress, split=True,
    ) as (parts, spill_dir):
        sources = merge_sources(parts, spill_dir)
        first = Merge(sources)
        vocab, counts, chars, cohesion, left, right, total = candidates(
            first, sources, max_len, min_count, indexes=source_indexes(parts, sources),
            halves=stats.workers > 1,  # the workers' threads, free by now
        )
        stats.words = first.distinct
    multi = (chars >= 2).nonzero()[0]
    words = vocab.decode(multi)
    counts, cohesion, left, right = counts[multi], cohesion[multi], left[multi], right[multi]
    freedom, score = freedom_and_score(counts, cohesion, left, right)
    new = (cohesion >= min_cohesion) & (freedom >= min_freedom)
    known: List[Optional[bool]] = [None] * len(words)
    if exclude_known:
        known = _known(words, user_dict)
        new &= ~np.array(known, dtype=bool)
    # tuple.__new__ itself: Candidate.__new__ is Python code, one call per candidate
    with _gc_paused():
        result = list(map(tuple.__new__, itertools.repeat(Candidate), zip(
            words, counts.tolist(), cohesion.tolist(), left.tolist(), right.tolist(),
            freedom.tolist(), score.tolist(), known, new.tolist())))
    return Discovery(result, total, stats)
