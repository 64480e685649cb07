"""count_ngrams: exact n-gram counts of a corpus, in bounded memory.

The corpus goes through :func:`fastcount.pipeline.run_counters` (the reading,
chunking, workers and errors of :func:`fastcount.count_words`) with an
n-gram chunk counter in every worker (:class:`fastcount._ngrams.NgramTable`,
built by :class:`NgramFactory`). Each worker's table may use its share of
the memory budget; when it would use more, it writes its n-grams as a
sorted run to a temporary directory and starts again. Each worker ends
with an :class:`NgramPartial`: its runs and what it holds in memory.

The partials are then merged exactly. When no worker spilled, in memory,
as :func:`fastcount.count_words` merges words (so the result's keys come in
order of first sight, as ``collections.Counter`` fed the same n-grams would
have them). Otherwise by a k-way merge of every run and every worker's
sorted table (keys in code point order), with ``min_count`` applied to the
merged counts only, so the result is the same as without a budget (into a
Counter: two merges side by side, below and from a key the runs' indexes
place mid-way, where there are two cores). The
merge streams: with ``output=`` it writes ``ngram<TAB>count`` lines as it
merges and never holds the result. The temporary directory goes when the
count ends, however it ends (error, Ctrl-C, the command's SIGTERM).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import (IO, TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Literal,
                    Optional, Sequence, Tuple, Union)

import numpy as np

from fastcount.countstats import CountStats, cpu_count
from fastcount.merge import PartialCount, finalize, first_sight_segments, kept_ids, merge_partials
from fastcount.options import check_cut, whole_number
from fastcount.pipeline import Source, run_counters
from fastcount.tokenizers import TokenizerSpec, get_tokenizer

if TYPE_CHECKING:
    from fastcount._ngrams import NgramTable
    from fastcount.counter import Counter

__all__ = [
    "count_ngrams", "counted", "ngram_spec", "NgramSpec", "NgramStats", "NgramFactory",
    "InMemoryNgramFactory", "NgramPartial", "parse_orders",
    "parse_memory", "default_memory", "merge_ngram_partials", "merge_sources", "source_indexes",
    "write_merged",
]

_Path = Union[str, "os.PathLike[str]"]
Orders = Union[int, str, Tuple[int, int]]

#: The default budget is this fraction of the machine's memory.
DEFAULT_MEMORY_FRACTION = 0.25
#: ... or this, where the machine's memory is not known.
FALLBACK_MEMORY = 2 * 1000**3
#: Runs merged at once; beyond that, groups of runs are merged into one first
#: (each open run holds a read buffer: this bounds the merge's memory).
MAX_FANIN = 64
#: A worker process ships its table to the parent through a pipe when it
#: holds less than this share of its budget, and writes it as a run beyond
#: (so the worker never holds its table and a copy of it past its budget).
_SHIP_SHARE = 0.5


@dataclass
class NgramStats(CountStats):
    """What a :func:`count_ngrams` run did: :class:`fastcount.pipeline.CountStats`
    with ``tokens`` the n-grams counted and ``words`` the distinct ones, plus
    the runs written (0: everything fit in memory) and the budget."""

    runs: int = 0
    memory: int = 0

    def summary(self) -> str:
        """One line for humans: sizes, throughput, spills."""
        spilled = f", {self.runs} runs spilled" if self.runs else ""
        return (
            f"{self.texts:,} texts, {self.bytes / 1e6:,.1f} MB, {self.tokens:,} n-grams, "
            f"{self.words:,} distinct in {self.seconds:.2f} s: {self.mb_per_s:.2f} MB/s "
            f"({self.tokenizer}, {self.workers} worker{'s' if self.workers != 1 else ''}"
            f"{spilled}, merge {self.merge_seconds:.3f} s = {self.merge_share:.1%})"
        )


# ---------------------------------------------------------------- options


def parse_orders(n: Orders) -> Tuple[int, int]:
    """``(lo, hi)`` from ``n``: an int (one order), a pair ``(lo, hi)`` or a
    string ``"2"`` or ``"1-4"`` (both ends included)."""
    from fastcount._ngrams import MAX_N

    if isinstance(n, str):
        lo, sep, hi = n.strip().partition("-")
        try:
            pair = (int(lo), int(hi) if sep else int(lo))
        except ValueError:
            raise ValueError(f"n must be an order or a range such as 1-4, not {n!r}") from None
    elif isinstance(n, (tuple, list)):
        if len(n) != 2:
            raise ValueError(f"n must be an order or a (lo, hi) pair, not {n!r}")
        pair = (whole_number("n[0]", n[0], 1), whole_number("n[1]", n[1], 1))
    else:
        order = whole_number("n", n, 1)
        pair = (order, order)
    if not 1 <= pair[0] <= pair[1] <= MAX_N:
        raise ValueError(f"n-gram orders must satisfy 1 <= lo <= hi <= {MAX_N}, got {n!r}")
    return pair


def default_memory() -> int:
    """The default budget: a quarter of the machine's physical memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY
    return int(total * DEFAULT_MEMORY_FRACTION) if total > 0 else FALLBACK_MEMORY


def parse_memory(memory) -> int:
    """A budget in bytes from an int, a string such as ``"2GB"`` or
    ``"512MiB"`` (see :func:`fastcount.datasets.parse_size`), or None (the
    default, :func:`default_memory`)."""
    from fastcount.datasets import parse_size

    if memory is None:
        return default_memory()
    if isinstance(memory, bool):
        raise TypeError(f"memory must be a size such as 2GB or a number of bytes, not {memory!r}")
    try:
        value = parse_size(memory)
    except ValueError as err:
        raise ValueError(f"memory: {err}") from None
    if value < 1:
        raise ValueError(f"memory must be at least 1 byte, got {memory!r}")
    return value


# ---------------------------------------------------------------- word tokens


class _NativeJieba:
    """fastcount's segmenter as a tokenizer ``str -> tokens`` (``jieba.lcut``'s
    tokens): ``tokenizer`` (a :class:`fastcount.Tokenizer`, which travels to
    worker processes with it), or the default dictionary plus ``user_dict``
    (loaded once per process)."""

    def __init__(self, tokenizer, user_dict: Optional[str], hmm: bool, cut_all: bool):
        self.tokenizer = tokenizer
        self.user_dict = user_dict
        self.hmm = hmm
        self.cut_all = cut_all

    def __call__(self, text: str) -> List[str]:
        from fastcount.segmenter import tokenizer_for

        return tokenizer_for(self.tokenizer, self.user_dict).lcut(
            text, cut_all=self.cut_all, HMM=self.hmm
        )


def _word_tokenizer(tokenizer, hmm, cut_all, user_dict) -> Tuple[str, Callable[[str], Iterable[str]]]:
    """(name, tokenize) for word n-grams: fastcount's native segmenter for
    ``"jieba"`` and tokenizer objects, as :func:`fastcount.count_words` uses it."""
    import sys

    tokenize = get_tokenizer(tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict)
    from fastcount.segmenter import Tokenizer, tokenizer_for

    jieba = sys.modules.get("jieba")
    is_object = isinstance(tokenizer, Tokenizer) or (
        jieba is not None and isinstance(tokenizer, jieba.Tokenizer)
    )
    if tokenizer == "jieba" or is_object:
        path = os.fspath(user_dict) if user_dict is not None else None
        native = tokenizer_for(tokenizer if is_object else None) if path is None else None
        return "jieba (native)", _NativeJieba(native, path, hmm, cut_all)
    name = tokenizer if isinstance(tokenizer, str) else getattr(tokenize, "__qualname__", "tokenizer")
    return str(name), tokenize


# ---------------------------------------------------------------- counters and partials

#: Ids of this process's tables (with the pid, unique names for their runs).
_table_ids = itertools.count()
#: This process's tables by spill directory: stopped before it is removed.
_live_tables: Dict[str, "weakref.WeakSet"] = {}
#: How long a failed count waits for its threads' tables to stop spilling.
_ABORT_WAIT = 10.0


@dataclass(frozen=True)
class NgramFactory:
    """Picklable recipe for the n-gram chunk counter of one count (an
    :class:`fastcount._ngrams.NgramTable`); see :func:`fastcount.pipeline.run_counters`."""

    spec: "NgramSpec"
    #: bytes each table may hold
    limit: int
    #: where tables spill their runs (removed by whoever made it)
    spill_dir: str

    @property
    def name(self) -> str:
        """What counts, for reports."""
        return self.spec.name

    @property
    def releases_gil(self) -> bool:
        """Character n-grams count with the GIL released: threads count in parallel."""
        return self.spec.unit == "char"

    def preload(self) -> None:
        """Load what the counters share (the tokenizer) before workers fork."""
        if self.spec.tokenize is not None:
            list(self.spec.tokenize("一"))

    def __call__(self) -> "NgramTable":
        """A new n-gram table, spilling to its own runs in the spill directory."""
        from fastcount._ngrams import NgramTable

        spec = self.spec
        if not self.spill_dir:
            return NgramTable(spec.lo, spec.hi, spec.unit, tokenize=spec.tokenize,
                              keep_punct=spec.keep_punct)
        prefix = os.path.join(self.spill_dir, f"p{os.getpid()}-t{next(_table_ids)}")
        table = NgramTable(spec.lo, spec.hi, spec.unit, tokenize=spec.tokenize,
                           keep_punct=spec.keep_punct, limit=self.limit, spill_prefix=prefix)
        _live_tables.setdefault(self.spill_dir, weakref.WeakSet()).add(table)
        return table

    def partial(self, counter: "NgramTable", marks) -> "NgramPartial":
        """A worker's result: its table (which becomes a run or a Vocab when
        it is pickled to the parent) with its first-sight marks."""
        return NgramPartial(counter, marks, limit=self.limit)


@dataclass(frozen=True)
class InMemoryNgramFactory(NgramFactory):
    """An :class:`NgramFactory` whose tables never spill and whose workers
    hand back a :class:`fastcount.merge.PartialCount` (n-grams as a Vocab,
    counts by id), merged as word counts are: for engines whose workers'
    disks are not the caller's (:mod:`fastcount.dask_ngrams`)."""

    limit: int = 0
    spill_dir: str = ""

    def partial(self, counter: "NgramTable", marks) -> PartialCount:  # type: ignore[override]
        """The table's n-grams in order of first sight, with the marks."""
        return PartialCount(*counter.vocab_result(take=True), marks)


class NgramPartial:
    """One worker's n-gram counts: the sorted runs it spilled, and the
    n-grams it holds in memory: its table (in this process), or after a trip
    to the parent the table's n-grams as a Vocab in order of first sight
    with counts by id (``vocab``, ``counts``; None when it went to a run).
    """

    def __init__(self, table: Optional["NgramTable"], marks=None, *, limit: int = 0,
                 runs: Sequence[str] = (), vocab=None, counts=None, texts: int = 0, total: int = 0,
                 indexes: Sequence[bytes] = ()):
        self.table = table
        self.marks = marks
        self.limit = limit
        self.runs = list(table.runs if table is not None else runs)
        #: each run's index (see :class:`fastcount._ngram_merge.Merge`)
        self.indexes = list(table.run_indexes if table is not None else indexes)
        self.vocab = vocab
        self.counts = counts
        self.texts = table.texts if table is not None else texts
        self.total = table.total if table is not None else total

    def __reduce__(self):
        table, vocab, counts = self.table, self.vocab, self.counts
        runs, indexes = self.runs, self.indexes
        if table is not None:
            if table.runs or table.memory() > self.limit * _SHIP_SHARE:
                table.spill()  # the parent merges runs anyway; or too big to copy
                runs, indexes = table.runs, table.run_indexes
            else:
                vocab, counts = table.vocab_result()
        return (_rebuild_partial,
                (runs, vocab, counts, self.marks, self.texts, self.total, indexes))

    def first_sight(self) -> PartialCount:
        """The in-memory n-grams as a :class:`fastcount.merge.PartialCount`
        (only for a worker that never spilled). The table hands them over
        (its memory freed, its hash slots taken into the Vocab): the partial
        holds them as a Vocab from then on."""
        if self.table is not None:
            self.vocab, self.counts = self.table.vocab_result(take=True)
            self.table = None
        return PartialCount(self.vocab, self.counts, self.marks)

    def sorted_sources(self) -> list:
        """Sources of :class:`fastcount._ngram_merge.Merge`: the runs and the
        in-memory n-grams in code point order."""
        from fastcount._ngrams import NgramTable

        sources: list = list(self.runs)
        if self.table is not None:
            self.table.finish()
            sources.append(self.table)
        elif self.vocab is not None:
            table = NgramTable(1, 1)  # sorts the Vocab's words: n-grams of any order
            table.add_counts(self.vocab, self.counts)
            table.finish()
            sources.append(table)
        return sources


def _rebuild_partial(runs, vocab, counts, marks, texts, total, indexes=()) -> NgramPartial:
    return NgramPartial(None, marks, runs=runs, vocab=vocab, counts=counts, texts=texts,
                        total=total, indexes=indexes)


# ---------------------------------------------------------------- merging


def merge_sources(parts: Sequence[NgramPartial], spill_dir: str) -> list:
    """The sources of one :class:`fastcount._ngram_merge.Merge` of every
    partial's n-grams in code point order: at most :data:`MAX_FANIN`, runs
    merged in groups into runs in ``spill_dir`` first when there are more."""
    from fastcount._ngram_merge import Merge

    _finish_side_by_side(parts)
    sources = [source for part in parts for source in part.sorted_sources()]
    runs = [s for s in sources if isinstance(s, str)]
    kept = [s for s in sources if not isinstance(s, str)]
    level = 0
    while len(runs) + len(kept) > MAX_FANIN:
        merged = []
        for i in range(0, len(runs), MAX_FANIN):
            group = runs[i : i + MAX_FANIN]
            if len(group) == 1:
                merged.append(group[0])
                continue
            path = os.path.join(spill_dir, f"merged-{level}-{i // MAX_FANIN}.run")
            Merge(group).to_run(path)
            for run in group:  # merged: their disk space is free again
                os.unlink(run)
            merged.append(path)
        runs = merged
        level += 1
        if len(runs) <= 1:
            break
    return runs + kept


def _finish_side_by_side(parts: Sequence[NgramPartial]) -> None:
    """Sort the workers' tables held in this process at once, one thread
    each (up to the cores): a sort runs without the GIL, and one after the
    other they would leave all but one core idle before the merge."""
    tables = [part.table for part in parts if part.table is not None]
    if len(tables) < 2:
        return
    with ThreadPoolExecutor(min(len(tables), cpu_count())) as pool:
        list(pool.map(lambda table: table.finish(), tables))


def _in_memory_merge(parts: Sequence[NgramPartial]) -> PartialCount:
    """The sum of partials that never spilled, keys in order of first sight.
    Tables in this process (threads) are interned into the sum directly,
    skipping a Vocab per table and a second interning of each into the sum."""
    from fastcount.ngram_orders import merge_ordered

    ordered = merge_ordered(parts)
    if ordered is not None:
        return ordered
    if len(parts) < 2 or any(part.table is None for part in parts):
        return merge_partials([part.first_sight() for part in parts])
    from fastcount._ngrams import first_sight_merge

    tables = [part.table for part in parts]
    segments = first_sight_segments([part.marks for part in parts], [t.seen() for t in tables])
    return PartialCount(*first_sight_merge(tables, [seg[1:] for seg in segments]))


def merge_ngram_partials(
    parts: Sequence[NgramPartial], spill_dir: str, *, min_count: int = 1, top: Optional[int] = None,
    threads: Optional[int] = None,
) -> Tuple["Counter", int]:
    """The exact n-gram counts of ``parts`` as a :class:`fastcount.Counter`
    cut by ``min_count``/``top`` (as :func:`fastcount.count_words` cuts), and
    the number of distinct n-grams before the cut. In memory when no part
    spilled (keys in order of first sight), else by merging the runs (keys
    in code point order), in two threads when ``threads`` (default: the
    CPUs) allows."""
    if not any(part.runs for part in parts):
        merged = _in_memory_merge(parts)
        return finalize(merged, min_count, top), len(merged.vocab)
    threads = cpu_count() if threads is None else threads
    vocab, counts, distinct = _merged_vocab(parts, merge_sources(parts, spill_dir), min_count,
                                            halves=threads > 1)
    return finalize(PartialCount(vocab, counts), 1, top), distinct


def _merged_vocab(parts: Sequence[NgramPartial], sources: list, min_count: int, halves: bool):
    """``(vocab, counts, distinct)``: the merge of ``sources`` into a Vocab in
    byte order. With ``halves``, as two merges side by side, of the
    n-grams below and from a key that splits the runs' records in half (their
    indexes say where), the upper one's Vocab appended to the lower one's
    (no word looked up: the ranges are disjoint)."""
    from fastcount._ngram_merge import Merge, append_sorted

    indexes = source_indexes(parts, sources)
    split = _split_key([i for i in indexes if i]) if halves else None
    if split is None:
        merge = Merge(sources)
        vocab, counts = merge.to_vocab(min_count)
        return vocab, counts, merge.distinct
    lower = Merge(sources, hi=split, indexes=indexes)
    upper = Merge(sources, lo=split, indexes=indexes)
    with ThreadPoolExecutor(1) as pool:
        later = pool.submit(upper.to_vocab, min_count)
        vocab, counts = lower.to_vocab(min_count, joined=True)
        upper_vocab, upper_counts = later.result()
    append_sorted(vocab, upper_vocab)
    return vocab, np.concatenate([counts, upper_counts]), lower.distinct + upper.distinct


def source_indexes(parts: Sequence[NgramPartial], sources: list) -> list:
    """The index of each source of :func:`merge_sources` that has one (a run a
    table wrote; not a run merged from others), else None: Merge's ``indexes``."""
    known = {run: index for part in parts for run, index in zip(part.runs, part.indexes)}
    return [known.get(s) if isinstance(s, str) else None for s in sources]


def _split_key(indexes: Sequence[bytes]) -> Optional[bytes]:
    """The median of the n-grams the runs' indexes name (they sample each run
    evenly), or None when they name none."""
    from fastcount._ngram_run_index import index_keys

    keys = sorted(key for index in indexes for key in index_keys(index))
    return keys[len(keys) // 2] if keys else None


def write_merged(
    parts: Sequence[NgramPartial], spill_dir: str, out: IO[bytes], min_count: int,
    top: Optional[int],
) -> Tuple[int, int]:
    """Write ``ngram<TAB>count`` lines to the binary ``out`` as the merge
    yields them (code point order), or the ``top`` most common, most common
    first; return (lines written, distinct n-grams)."""
    from fastcount._ngram_merge import Merge

    merge = Merge(merge_sources(parts, spill_dir))
    if top is None:
        return merge.write_tsv(out.write, min_count), merge.distinct
    words, counts = _top_of(merge, min_count, top)
    out.write(_tsv_lines(words, counts))
    return len(words), merge.distinct


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tsv_lines(words: Sequence[str], counts: np.ndarray) -> bytes:
    """``ngram<TAB>count`` lines, escaped as the merge writes them."""
    return "".join(
        f"{w.translate(_TSV_ESCAPES)}\t{c}\n" for w, c in zip(words, counts.tolist())
    ).encode("utf-8", "backslashreplace")


def _top_of(merge, min_count: int, top: int, batch: int = 1 << 16) -> Tuple[List[str], np.ndarray]:
    """The ``top`` most common n-grams a merge yields (ties by n-gram), most
    common first, holding about 2 * top + batch of them at a time."""
    words: List[str] = []
    counts = np.zeros(0, dtype=np.int64)
    floor = min_count  # below the top-th count nothing can make the cut
    while True:
        pairs = merge.batch(batch, floor)
        if pairs:
            words += [w for w, _ in pairs]
            counts = np.concatenate([counts, np.fromiter((c for _, c in pairs), np.int64, len(pairs))])
        if len(words) > 2 * top + batch or not pairs:
            keep = kept_ids(counts, min_count, top, lambda ids: [words[i] for i in ids])
            words = [words[i] for i in keep]
            counts = counts[keep]
            if len(words) == top:
                floor = max(floor, int(counts.min()))
        if not pairs:
            return words, counts


# ---------------------------------------------------------------- the API


def count_ngrams(
    source: Source,
    n: Orders,
    *,
    unit: Literal["char", "word"] = "char",
    tokenizer: TokenizerSpec = "jieba",
    keep_punct: bool = False,
    workers: Optional[int] = None,
    memory=None,
    tmpdir: Optional[_Path] = None,
    min_count: int = 1,
    top: Optional[int] = None,
    output: Union[None, _Path, IO[bytes]] = None,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[_Path] = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    progress: bool = False,
    chunk_size: Optional[int] = None,
    stats: Optional[NgramStats] = None,
    backend: Optional[Literal["threads", "processes"]] = None,
    mp_context=None,
):
    """Count the n-grams of a corpus exactly; return a :class:`fastcount.Counter`
    of n-gram -> count (or, with ``output``, the number of lines written).

    ``n``: the order (``2``), or a range of orders counted in one pass
    (``(1, 4)`` or ``"1-4"``, both ends included). ``unit="char"``: n-grams
    of characters; ``unit="word"``: of the tokens of ``tokenizer`` (the
    tokenizers of :func:`fastcount.count_words`, with ``hmm``, ``cut_all``,
    ``user_dict``; ``"jieba"`` is fastcount's native segmenter), keyed by the
    tokens joined with one space (a token holding a space is an error). An
    n-gram never spans two texts, whitespace or (unless ``keep_punct``)
    punctuation (Unicode categories P*): those characters, and tokens made
    only of them, end a run and are not counted.

    ``memory``: the budget for the workers' tables together (``"2GB"``,
    bytes; default a quarter of the machine's memory). A worker that would
    pass its share spills sorted runs to a temporary directory in ``tmpdir``
    (default: :func:`tempfile.gettempdir`), merged at the end; the counts do
    not depend on the budget. ``min_count`` and ``top`` cut the merged
    counts, as in :func:`fastcount.count_words` (ties by n-gram).

    ``output``: a path or a binary file: the counts are written there as
    ``ngram<TAB>count`` lines (UTF-8; backslash, tab, newline and CR
    escaped as ``\\\\``, ``\\t``, ``\\n``, ``\\r``, a lone surrogate as
    ``\\uXXXX``) in code point order as they are merged, never held in
    memory; with ``top``, the top n-grams, most common first. A path is
    written under a temporary name and renamed when complete.

    The result's keys come in order of first sight when nothing spilled,
    else in code point order. The reading options (``encoding``,
    ``errors``, ``field``), ``workers``, ``backend``, ``mp_context``,
    ``chunk_size``, ``progress`` and the errors are those of
    :func:`fastcount.count_words`; ``stats`` (an :class:`NgramStats`) is
    filled in on return.
    """
    import fastcount.counter  # noqa: F401  (its import is not merge time)

    spec = ngram_spec(n, unit, tokenizer, keep_punct, hmm, cut_all, user_dict)
    min_count, top = check_cut(min_count, top)
    stats = stats if stats is not None else NgramStats()
    sink = None
    if output is not None and not hasattr(output, "write"):
        from fastcount.writers import AtomicOutput

        sink = AtomicOutput(os.fspath(output), binary=True)  # fails now if unwritable
    try:
        with counted(
            source, spec, stats, workers=workers,
            memory=memory, tmpdir=tmpdir, backend=backend, mp_context=mp_context,
            chunk_size=chunk_size, encoding=encoding, errors=errors, field=field,
            progress=progress, split=True,
        ) as (parts, spill_dir):
            if output is None:
                result, stats.words = merge_ngram_partials(
                    parts, spill_dir, min_count=min_count, top=top, threads=stats.workers
                )
            else:
                result, stats.words = write_merged(
                    parts, spill_dir, sink.file if sink is not None else output, min_count, top
                )
                if sink is not None:
                    sink.commit()
    finally:
        if sink is not None:
            sink.discard()
    return result


@dataclass(frozen=True)
class NgramSpec:
    """What a count counts: its name for reports, the orders, the unit,
    the tokenizer of word n-grams, and whether punctuation is kept."""

    name: str
    lo: int
    hi: int
    unit: str
    tokenize: Optional[Callable[[str], Iterable[str]]]
    keep_punct: bool


def ngram_spec(n: Orders, unit: str, tokenizer: TokenizerSpec, keep_punct: bool, hmm: bool,
               cut_all: bool, user_dict: Optional[_Path]) -> NgramSpec:
    """The :class:`NgramSpec` of :func:`count_ngrams`'s arguments, checked:
    ValueError naming the argument that is wrong."""
    lo, hi = parse_orders(n)
    if unit not in ("char", "word"):
        raise ValueError(f"unit must be 'char' or 'word', got {unit!r}")
    if unit == "char":
        if tokenizer != "jieba" or hmm is not True or cut_all or user_dict is not None:
            raise ValueError("tokenizer, hmm, cut_all and user_dict apply to unit='word' only")
        return NgramSpec(f"char {lo}-{hi}", lo, hi, "char", None, keep_punct)
    name, tokenize = _word_tokenizer(tokenizer, hmm, cut_all, user_dict)
    return NgramSpec(f"word {lo}-{hi}, {name}", lo, hi, "word", tokenize, keep_punct)


@contextlib.contextmanager
def counted(source: Source, spec: NgramSpec, stats: NgramStats, *, workers=None, memory=None,
            tmpdir=None, split: bool = False,
            **run_options) -> Iterator[Tuple[List[NgramPartial], str]]:
    """Count the n-grams of ``source`` with :func:`fastcount.pipeline.run_counters`
    (``run_options`` are its own) in a budget of ``memory``; yield the
    workers' partials and the directory their runs are in, which goes (with
    every run) when the block ends, however it ends. Fills ``stats`` (the
    block's time is merge time) but ``words``. With ``split``, character
    n-grams counted by threads are split by order where there are orders
    enough and no table can outgrow its share of the budget
    (:mod:`fastcount.ngram_orders`): one partial per order group."""
    from fastcount.ngram_orders import OrderSplitFactory, split_spec

    started = time.perf_counter()
    budget = parse_memory(memory)
    workers = whole_number("workers", workers, 1, none=True)
    if workers is None:
        workers = cpu_count()
    directory = os.fspath(tmpdir) if tmpdir is not None else tempfile.gettempdir()
    if not os.path.isdir(directory):
        raise NotADirectoryError(f"tmpdir {directory!r} is not a directory")
    spill_dir = tempfile.mkdtemp(prefix="fastcount-ngrams-", dir=directory)
    try:
        groups = split_spec(spec, workers, run_options, source, budget) if split else None
        if groups is None:
            factory = NgramFactory(spec, max(1, budget // workers), spill_dir)
            parts = run_counters(source, factory, workers=workers, stats=stats, **run_options)
        else:
            factory = OrderSplitFactory(spec, max(1, budget // len(groups)), spill_dir,
                                        tuple(groups))
            (parts,) = run_counters(source, factory, workers=1, stats=stats, **run_options)
            parts = list(parts)
            stats.workers, stats.backend = len(groups), "threads (split by order)"
        stats.tokens = sum(part.total for part in parts)
        stats.runs = sum(len(part.runs) for part in parts)
        stats.memory = budget
        merging = time.perf_counter()
        yield parts, spill_dir
        stats.merge_seconds += time.perf_counter() - merging
        stats.seconds = time.perf_counter() - started
    finally:
        _remove(spill_dir)


def _remove(spill_dir: str) -> None:
    """Remove a count's spill directory, first stopping its tables still
    counting in threads of this process (after an error or Ctrl-C, those
    finish their chunk: they must not spill into the directory as it goes)."""
    tables = list(_live_tables.pop(spill_dir, ()))
    for table in tables:
        table.abort()
    deadline = time.monotonic() + _ABORT_WAIT
    while any(table.busy for table in tables) and time.monotonic() < deadline:
        time.sleep(0.01)
    shutil.rmtree(spill_dir, ignore_errors=True)
