"""Count word frequencies on a Dask cluster, exactly as ``count_words`` does.

Needs the ``dask`` extra: ``pip install 'fastcount[dask]'`` (Dask's bag and
``distributed``). Nothing here runs at import: Dask is imported on first use,
so ``import fastcount.dask`` is cheap and the core package never imports it.

How it runs
-----------
The partitions of the corpus are cut into runs of consecutive partitions,
at least one run per thread of the cluster. Each run is a chain of tasks,
one per partition, that counts its partitions one after another into one
chunk counter held by the worker, as a ``count_words`` worker counts its
chunks (:class:`_RunningCount`): no partition's counts become a
table of their own to be merged into another. The chains' counts, as
partial counts (words as a :class:`fastcount.Vocab`, counts by id), are then
summed in a tree of merges on the workers (``split_every`` per merge), in
order, with the merge ``count_words`` uses (:mod:`fastcount.merge`), so the
client receives one :class:`fastcount.Counter`, already cut by
``min_count``/``top``, its words in order of first sight. A worker that dies is no problem: Dask recomputes
the tasks whose results it held, from the start of the chains it held, and
no partition is counted twice or lost.

Example
-------
>>> from distributed import Client                       # doctest: +SKIP
>>> from fastcount.dask import count_words_dask          # doctest: +SKIP
>>> client = Client("tcp://scheduler:8786")              # doctest: +SKIP
>>> counts = count_words_dask("s3://bucket/news/*.txt.gz", client=client,
...                           top=100_000)               # doctest: +SKIP
>>> counts.most_common(3)                                # doctest: +SKIP

Files must be readable from every worker under the same path or URL (a
shared file system, or any fsspec URL such as ``s3://`` or ``hdfs://``).
"""

from __future__ import annotations

import io
import os
import sys
import threading
from functools import partial
from typing import Any, Iterable, Iterator, Optional, Union

from fastcount import io as fio

__all__ = ["count_words_dask", "count_words_delayed", "require"]

_EXTRA_HINT = "pip install 'fastcount[dask]'"
#: Default bytes per partition for uncompressed files: big enough that a task
#: runs for seconds (Dask documents its scheduler's cost as about 1 ms a
#: task), small enough that a worker holds a few of them at once without strain.
DEFAULT_BLOCKSIZE = "64 MiB"


def require(cluster: bool = False):
    """Import Dask's bag, and ``distributed`` too with ``cluster``; return
    the ``dask`` module, or raise ImportError naming the extra to install."""
    try:
        import dask
        import dask.bag
    except ImportError as exc:
        raise ImportError(f"fastcount.dask needs Dask's bag: {_EXTRA_HINT} ({exc})") from exc
    if cluster:
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                f"fastcount.dask needs dask.distributed to use a cluster: {_EXTRA_HINT} ({exc})"
            ) from exc
    return dask


# ---------------------------------------------------------------- worker side


#: Bytes (or characters) of text per batch fed to a chunk counter: larger
#: than count_words' chunks, as Dask's workers run with a low
#: MALLOC_TRIM_THRESHOLD_, under which a batch's memory goes back to the
#: system and is faulted in again for the next.
_BATCH = 1 << 20


class _RunningCount:
    """The running count of one chain of partitions, kept in the worker.

    A chain's links count their partitions one after another into one chunk
    counter, as a ``count_words`` worker counts its chunks: no partition's
    counts are turned into Python objects and added into a table of their
    own. Each link takes the count over from the previous link's result
    (:meth:`take`), which is then *spent*; Dask never runs a link again
    from a spent count unless that link raised after it began counting, and
    then the count is incomplete: the retried link raises the same error
    rather than count the partition twice. A worker that dies loses the
    chain's counts with it, and Dask reruns the chain from its start.

    It pickles (sent to another worker, spilled to disk) as the
    :class:`fastcount.merge.PartialCount` of its counts so far, which the
    receiving process counts on top of; a spent count pickles as spent.
    """

    def __init__(self, factory, base=None, spent=None):
        self._factory = factory
        self._base = base  # a PartialCount of the counts this one arrived with, or None
        self._counter = None  # the chunk counter, made on first use
        # Held while counts are taken over or read: never while counting,
        # which only a count that nothing else can see yet does.
        self._lock = threading.Lock()
        self._spent = spent  # None, or what to raise when used again

    def take(self) -> "_RunningCount":
        """A new running count holding these counts; this one is then spent."""
        with self._lock:
            self._check()
            nxt = _RunningCount(self._factory, self._base)
            nxt._counter = self._counter
            self._spent = RuntimeError(
                "fastcount.dask: a chain's count was used twice (a Dask task ran again "
                "after it had finished)"
            )
        return nxt

    def feed(self, batch) -> None:
        """Count a batch: a list of texts, or a :class:`fastcount.io.Block` of a file."""
        if self._counter is None:
            self._counter = self._factory()
        if isinstance(batch, fio.Block):
            if self._counter.feed_block(batch) >= 0:
                return  # decoded by the counter, in C
            batch = batch.texts()
        self._counter.feed(batch)

    def fail(self, exc: BaseException) -> None:
        """Mark the counts taken from this one incomplete: ``exc`` is raised on reuse."""
        self._spent = exc

    def partial(self):
        """A new :class:`fastcount.merge.PartialCount` of the counts so far,
        in order of first sight (the chunk counter is left as it is: a count
        may be pickled more than once)."""
        from fastcount.merge import merge_partials

        with self._lock:
            self._check()
            parts = [] if self._base is None else [self._base]
            if self._counter is not None:
                parts.append(self._factory.partial(self._counter, None))
        return merge_partials(parts) if parts else _empty_partial()

    def _check(self) -> None:
        if self._spent is not None:
            raise self._spent

    def __reduce__(self):
        with self._lock:
            spent = self._spent
        if spent is not None:  # as a RuntimeError: the error itself may not pickle
            return _RunningCount, (self._factory, None, RuntimeError(f"{type(spent).__name__}: {spent}"))
        return _RunningCount, (self._factory, self.partial())


def _empty_partial():
    import numpy as np

    from fastcount import Vocab
    from fastcount.merge import PartialCount

    return PartialCount(Vocab(), np.zeros(0, dtype=np.int64))


def _link(prev: Optional[_RunningCount], factory, batches: Iterator) -> _RunningCount:
    """Count ``batches`` (lists of texts, or Blocks) on top of ``prev``, the running
    count of the chain's earlier partitions (None at its start).

    ``prev`` is taken over when the first batch is ready: an error before
    that (the partition's file cannot be read) leaves it as it was, for a
    retry; one after it leaves ``prev`` spent with that error.
    """
    count = None
    try:
        for batch in batches:
            if count is None:
                count = prev.take() if prev is not None else _RunningCount(factory)
            count.feed(batch)
    except BaseException as exc:
        if count is not None and prev is not None:
            prev.fail(exc)
        raise
    if count is None:  # no texts
        count = prev.take() if prev is not None else _RunningCount(factory)
    return count


def _count_texts(prev, texts: Iterable[str], tokenizer: Any, options: dict, factory=None) -> _RunningCount:
    """A link for a Bag of texts: count the partition's texts on top of ``prev``.

    As :func:`fastcount.pipeline.count_partition` counts them (same chunks,
    TypeError naming a non-str item, a note naming the item a tokenizer
    error was raised on). ``factory``: the chunk counters' factory (default:
    the word counter of ``tokenizer`` and ``options``).
    """
    from fastcount.chunks import chunks_of_texts
    from fastcount.workers import add_note, first_failing

    factory = _factory(tokenizer, options, factory)
    chunks = chunks_of_texts(texts, _BATCH)
    where = {}

    def batches():
        for chunk in chunks:
            where["chunk"] = chunk
            yield chunk.parts
            where["chunk"] = None

    try:
        return _link(prev, factory, batches())
    except Exception as exc:
        chunk = where.get("chunk")  # set while its texts are counted
        if chunk is not None:
            add_note(exc, f"fastcount: raised by the tokenizer on {chunk.place(first_failing(factory, chunk.parts))}")
        raise


def _count_blocks(
    prev, blocks: Iterable[tuple], fs: Any, encoding: str, errors: str, field: Optional[str],
    tokenizer: Any, options: dict, factory=None,
) -> _RunningCount:
    """A link for files: read each block of the partition, count its texts on top of ``prev``.

    A partition of the planning Bag holds block descriptions, not text, so
    raw bytes never sit in worker memory as a task result: a block is read,
    decoded in batches of ``_BATCH`` bytes and counted within one task.
    ``factory`` as for :func:`_count_texts`.
    """
    factory = _factory(tokenizer, options, factory)
    where = {}

    def batches():
        for block in blocks:
            where["block"] = block
            yield from _read_batches(fs, *block, encoding, errors, field)

    try:
        return _link(prev, factory, batches())
    except Exception as exc:
        if "block" in where and hasattr(exc, "add_note"):  # Python >= 3.11
            path, offset = where["block"][:2]
            exc.add_note(f"while counting {path}" + (f" from byte {offset}" if offset else ""))
        raise


def _factory(tokenizer, options: dict, factory):
    """``factory``, or the word counters' factory of ``tokenizer`` and ``options``."""
    if factory is not None:
        return factory
    from fastcount.tokenizers import chunk_counter_factory

    return chunk_counter_factory(tokenizer, **options)


def _count_alone(part, link):
    """The counts of one partition as a PartialCount (a chain of one link)."""
    return link(None, part).partial()


def _chain_end(count: _RunningCount):
    """The last link's result: its chain's counts as a
    :class:`fastcount.merge.PartialCount` (compact to send), made on the
    worker that counted them as soon as it is done, while the other chains
    finish theirs."""
    return count.partial()


def _merge_chains(parts: list):
    """The sum of chains' partial counts (or of sums of them, a level down
    the tree), in chain order: words keep the order in which the corpus
    first shows them. A new partial: each input stays as it was, for a
    retry."""
    from fastcount.merge import merge_partials

    return merge_partials(parts)


def _finish(parts: list, min_count: int, top: Optional[int]):
    """The last task: the chains' counts summed and cut by ``min_count``/``top``,
    as the :class:`fastcount.Counter` the client receives."""
    from fastcount.merge import PartialCount, merge_partials

    total = merge_partials(parts)
    if total is parts[0]:  # one chain: the Counter must not take its words over
        total = PartialCount(_copy_vocab(total.vocab), total.counts.copy(), None,
                             None if total.dfs is None else total.dfs.copy(), total.docs)
    return _finalize(total, min_count, top)


def _copy_vocab(vocab):
    from fastcount import Vocab

    copy = Vocab()
    copy.add_from(vocab)
    return copy


def _read_batches(fs, path, offset, length, encoding, errors, field) -> Iterator:
    """The lines of one block of ``path`` in batches (:class:`fastcount.io.Block` s
    of about ``_BATCH`` bytes, or lists of texts for encodings a Block cannot
    hold), read by :mod:`fastcount.io`'s readers as ``count_words`` reads them.

    ``length is None`` means the whole file (compressed files, and encodings
    that cannot be cut at ``b"\\n"``), streamed so a large compressed file
    is never held in memory at once. A block from the middle of a file
    numbers its lines from its start; the lines before it are counted only
    if an error must name its line.
    """
    if length is None:
        with fio.open_binary(path, fs) as f:
            yield from _batched(fio.read_pieces(f, path, encoding, errors, field, _BATCH))
        return
    with fs.open(path, "rb") as f:
        data, start = fio.read_range(f, offset, length)
    lines_before = partial(fio.count_lines_before, path, start, fs) if start else None
    pieces = fio.read_pieces(io.BytesIO(data), path, encoding, errors, field, _BATCH, lines_before=lines_before)
    yield from _batched(pieces)


def _batched(pieces: Iterable[tuple]) -> Iterator:
    """Blocks as they come; texts (of encodings a Block cannot hold) in
    lists of about ``_BATCH`` bytes."""
    batch: list = []
    size = 0
    for piece, _, nbytes in pieces:
        if not isinstance(piece, str):
            yield piece
            continue
        batch.append(piece)
        size += nbytes
        if size >= _BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _count_and_shard(part, perpartition, shards: int) -> list:
    """Count a partition, then split its partial into ``shards`` disjoint
    partials by a hash of the word that is the same in every process."""
    import zlib

    import numpy as np

    from fastcount import Vocab
    from fastcount.merge import PartialCount

    counts = perpartition(part)
    # crc32 of the UTF-8 bytes: str's hash() differs between processes.
    shard_of = np.fromiter(
        (zlib.crc32(word.encode("utf-8", "surrogatepass")) % shards for word in counts.vocab),
        dtype=np.int64, count=len(counts.vocab),
    )
    pieces = []
    for r in range(shards):
        ids = np.flatnonzero(shard_of == r)
        vocab = Vocab()
        vocab.add_from(counts.vocab, ids)
        pieces.append(PartialCount(vocab, counts.counts[ids]))
    return [tuple(pieces)]


def _merge_partition(part):
    """Per-partition step of a shard's tree: the partition holds one piece."""
    from fastcount.merge import merge_partials

    return merge_partials(list(part))


def _union_shards(pieces: list, top: Optional[int]):
    """Join the shards' results: their words are disjoint, so this only
    concatenates; with ``top``, each shard kept its own top, and the words of
    the overall top are among them."""
    from fastcount.merge import finalize_counts, merge_counts

    total = merge_counts(pieces)
    return total if top is None else finalize_counts(total, top=top)


def _finalize(part, min_count: int, top: Optional[int]):
    from fastcount.documents import finalize_result

    return finalize_result(part, min_count, top)


# ---------------------------------------------------------------- client side


def _expand_paths(source, storage_options, field) -> tuple:
    """``(fs, files)``: the files ``source`` names, as ``count_words`` finds them.

    Local paths go through :func:`fastcount.io.resolve_paths` (globs, sorted
    recursive walk of directories, hidden files skipped, unreadable files
    named before anything runs); URLs (``s3://...``) through fsspec's glob.
    """
    from fsspec.core import url_to_fs
    from fsspec.implementations.local import LocalFileSystem

    specs = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not specs:
        raise ValueError("count_words_dask: no paths given")
    for spec in specs:
        if not isinstance(spec, (str, os.PathLike)):
            raise TypeError(
                "count_words_dask: source must be a dask.bag.Bag of texts, a path or a "
                f"list of paths; found {type(spec).__name__} {spec!r} among the paths"
            )
    specs = [os.fspath(s) for s in specs]
    if "-" in specs:
        raise ValueError("count_words_dask: standard input ('-') cannot be read by a cluster")
    remote = [s for s in specs if "://" in s and not s.startswith("file://")]
    if not remote:
        local = [s[len("file://"):] if s.startswith("file://") else s for s in specs]
        sources = fio.resolve_paths(local)
        fio.check_field(sources, field)
        return LocalFileSystem(), [src.path for src in sources]
    if len(remote) != len(specs):
        raise ValueError("count_words_dask: mix of local paths and URLs; use one file system")
    fs, _ = url_to_fs(specs[0], **(storage_options or {}))
    files = []
    for spec in specs:
        pfs, root = url_to_fs(spec, **(storage_options or {}))
        if type(pfs) is not type(fs):
            raise ValueError(f"count_words_dask: {spec!r} is not on the file system of {specs[0]!r}")
        if pfs.isdir(root):
            found = sorted(p for p in pfs.find(root) if not os.path.basename(p).startswith("."))
        elif pfs.exists(root):
            found = [root]
        else:
            found = sorted(p for p in pfs.glob(root) if not pfs.isdir(p))
        if not found:
            raise FileNotFoundError(2, "no file matches", spec)
        files.extend(pfs.unstrip_protocol(p) if hasattr(pfs, "unstrip_protocol") else p for p in found)
    return fs, files


def _plan_blocks(source, blocksize, encoding, errors, field, storage_options) -> tuple:
    """Expand ``source`` and cut its files into blocks.

    Returns ``(fs, [(path, offset, length_or_None), ...])``.
    Compressed files are read whole; others are cut every ``blocksize`` bytes
    at line ends when ``b"\\n"`` always ends a line in the encoding (UTF-8,
    GBK, GB18030, Big5, Latin-1...: fastcount.io's block codecs). Empty files
    are skipped.
    """
    from dask.utils import parse_bytes

    if isinstance(blocksize, str):
        blocksize = parse_bytes(blocksize)
    if blocksize is not None and (not isinstance(blocksize, int) or blocksize <= 0):
        raise ValueError(f"count_words_dask: blocksize must be a positive int, a size string or None, got {blocksize!r}")
    import codecs

    # LookupError for an unknown encoding or error handler, before any task
    splittable = fio.splittable(encoding) and blocksize is not None
    codecs.lookup_error(errors)
    fs, files = _expand_paths(source, storage_options, field)
    blocks = []
    for path in files:
        if fio.is_compressed(path) or not splittable:
            blocks.append((path, 0, None))
            continue
        size = fs.size(path)
        if not size:
            continue
        nblocks = max(size // blocksize, 1)
        cuts = [size * i // nblocks for i in range(nblocks + 1)]
        blocks.extend((path, lo, hi - lo) for lo, hi in zip(cuts, cuts[1:]))
    return fs, blocks


def count_words_delayed(
    source,
    tokenizer: Any = "jieba",
    *,
    min_count: int = 1,
    top: Optional[int] = None,
    split_every: int = 8,
    shards: int = 1,
    blocksize: Union[int, str, None] = DEFAULT_BLOCKSIZE,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    storage_options: Optional[dict] = None,
    **tokenizer_options: Any,
):
    """Build, without running it, the Dask graph of :func:`count_words_dask`.

    Returns a ``dask.bag.Item`` whose ``.compute()`` (or
    ``client.compute(item)``) gives the :class:`fastcount.Counter`. Use it to
    run the count alongside other work, or to follow it with
    ``distributed.progress``. Arguments are those of :func:`count_words_dask`.
    The graph has a chain of counting tasks for every thread of the scheduler
    in effect when it is built (an active ``distributed.Client``, else
    Dask's local pool): compute it there.
    """
    return _count_graph(
        source, tokenizer, None, min_count=min_count, top=top, split_every=split_every,
        shards=shards, blocksize=blocksize, encoding=encoding, errors=errors, field=field,
        storage_options=storage_options, tokenizer_options=tokenizer_options,
    )


def _count_graph(
    source, tokenizer, client, *, min_count, top, split_every, shards, blocksize, encoding,
    errors, field, storage_options, tokenizer_options: dict, factory=None,
):
    """:func:`count_words_delayed` for the scheduler of ``client`` (None: the
    one in effect), whose thread count sets the number of chains; with
    ``factory``, its chunk counters count (instead of ``tokenizer``'s words:
    :mod:`fastcount.dask_ngrams`)."""
    dask = require()
    import dask.bag as db

    from fastcount.options import check_cut, whole_number
    from fastcount.tokenizers import chunk_counter_factory

    split_every = whole_number("split_every", split_every, 2)
    min_count, top = check_cut(min_count, top)
    shards = whole_number("shards", shards, 1)

    # Check the tokenizer and its options on the client, so a typo fails at
    # once rather than as an error of every task.
    if factory is None:
        chunk_counter_factory(tokenizer, **tokenizer_options)
    if shards > 1 and tokenizer_options.get("dfs"):
        raise ValueError("dfs=True counts with shards=1 only")
    counts = dict(tokenizer=tokenizer, options=tokenizer_options, factory=factory)
    if isinstance(source, db.Bag):
        bag = source
        link = partial(_count_texts, **counts)
    else:
        fs, blocks = _plan_blocks(source, blocksize, encoding, errors, field, storage_options)
        if not blocks:
            # Only empty files: a Bag with one empty text keeps the graph
            # (and the result type) the same as for any other input.
            bag = db.from_sequence([""], npartitions=1)
            link = partial(_count_texts, **counts)
        else:
            bag = db.from_sequence(blocks, npartitions=len(blocks))
            link = partial(_count_blocks, fs=fs, encoding=encoding, errors=errors, field=field, **counts)
    if shards == 1:
        return _chained_reduction(bag, link, split_every, min_count, top, _scheduler_threads(client))
    from fastcount.merge import merge_partials

    # Each partition's partial is split by a stable hash of the word into
    # `shards` disjoint pieces; every shard has its own merge tree, so the
    # upper levels, where partials approach the whole vocabulary, run in
    # parallel on `shards` workers with 1/shards of the words each.
    split = bag.map_partitions(
        _count_and_shard, perpartition=partial(_count_alone, link=link), shards=shards
    )
    per_shard = [
        split.pluck(r)
        .reduction(_merge_partition, merge_partials, split_every=split_every, name=f"fastcount-shard{r}")
        .apply(partial(_finalize, min_count=min_count, top=top))
        for r in range(shards)
    ]
    return db.Item.from_delayed(
        dask.delayed(_union_shards, pure=True)(per_shard, top=top, dask_key_name=f"fastcount-union-{dask.base.tokenize(per_shard, top)}")
    )


def _chained_reduction(bag, link, split_every: int, min_count: int, top: Optional[int], threads: int):
    """The graph of an unsharded count, as a ``dask.bag.Item``.

    The partitions are cut into runs of consecutive ones, at least one run
    per thread of the scheduler (``threads``) and at most ``split_every``
    partitions per run where there are more. Each run is a chain of tasks
    (``...-part-``), one per partition: a task counts its partition on top
    of the previous one's running count (:class:`_RunningCount`) and so
    runs on the worker that holds it, as ``count_words`` counts all the
    chunks a worker gets into one table; no partition's counts become a
    table of their own, to be added into another. The chains' counts are
    then summed in a tree of ``split_every`` (``...-aggregate...``), in
    order, and the last task applies ``min_count``/``top``.
    """
    from dask.bag import Item
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    token = tokenize(bag, link, split_every, min_count, top, threads)
    part, final = f"fastcount-count-part-{token}", f"fastcount-count-aggregate-{token}"
    n = bag.npartitions
    nchains = min(max(-(-n // split_every), threads), n)
    dsk: dict = {}
    level = []  # the last link of each chain
    for c in range(nchains):
        prev = None
        last = n * (c + 1) // nchains - 1
        for i in range(n * c // nchains, last + 1):
            task = (link, prev, (bag.name, i))
            dsk[(part, i)] = (_chain_end, task) if i == last else task
            prev = (part, i)
        level.append(prev)
    depth = 0
    while len(level) > split_every:
        name = f"fastcount-count-aggregate{depth}-{token}"
        groups = [level[j:j + split_every] for j in range(0, len(level), split_every)]
        for j, group in enumerate(groups):
            dsk[(name, j)] = (_merge_chains, group)
        level = [(name, j) for j in range(len(groups))]
        depth += 1
    dsk[final] = (_finish, level, min_count, top)
    return Item(HighLevelGraph.from_collections(final, dsk, dependencies=[bag]), final)


def _scheduler_threads(client) -> int:
    """How many tasks the scheduler runs at once: ``client``'s threads, else
    those of the scheduler in effect (an active Client, a local pool)."""
    import dask
    from dask.system import CPU_COUNT

    if client is None and dask.config.get("scheduler", None) == "dask.distributed":
        from distributed import default_client

        client = default_client()
    if client is not None:
        return max(sum(client.nthreads().values()), 1)
    if dask.config.get("scheduler", None) in ("sync", "synchronous", "single-threaded"):
        return 1
    return dask.config.get("num_workers", None) or CPU_COUNT


def count_words_dask(
    source,
    tokenizer: Any = "jieba",
    *,
    client: Any = None,
    min_count: int = 1,
    top: Optional[int] = None,
    split_every: int = 8,
    shards: int = 1,
    blocksize: Union[int, str, None] = DEFAULT_BLOCKSIZE,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    storage_options: Optional[dict] = None,
    retries: int = 0,
    progress: bool = False,
    **tokenizer_options: Any,
):
    """Count words with Dask; the result equals ``fastcount.count_words``.

    Parameters
    ----------
    source
        A ``dask.bag.Bag`` of texts (each element one text, counted as is), or
        a path, glob, directory or URL, or a list of them: text files with one
        text per line, read by fsspec (so ``s3://``, ``hdfs://``... work) and
        visible to every worker. Uncompressed files are cut into blocks of
        ``blocksize`` bytes at line ends, as ``dask.bag.read_text`` does;
        compressed files (``.gz``, ``.bz2``, ``.xz``...) are read whole.
        Files, globs and directories are found, and lines read (``\\n`` or
        ``\\r\\n`` removed), exactly as ``count_words`` does.
    tokenizer, **tokenizer_options
        As for ``count_words`` (``"jieba"``, ``hmm=``, ``user_dict=``...). A
        callable tokenizer must be picklable; a user dictionary must exist
        on every worker. ``dfs=True`` counts document frequencies too (each
        text a document) and returns a
        :class:`fastcount.documents.DocumentCounts` (with ``shards=1``).
    client
        A ``distributed.Client``, a scheduler address (``"tcp://host:8786"``,
        connected for this call and closed after), or ``None`` for the Dask
        scheduler in effect (an active ``Client``, else Dask's default).
    min_count, top
        Keep words seen at least ``min_count`` times, then the ``top`` most
        common (ties by word); applied on a worker before the result travels.
    split_every
        At most this many partitions per chain (more, shorter chains when
        the scheduler has more threads than that makes chains), and how
        many chains' counts one merge task sums.
    shards
        Split every partial by a hash of the word into this many disjoint
        pieces, each merged by its own tree, and join them at the end. For
        vocabularies of millions of words on many workers: the upper merges,
        whose partials approach the whole vocabulary, then run in parallel
        with ``1/shards`` of the words each (time and memory). Splitting
        hashes every distinct word of each partial in Python, so ``1`` (the
        default) merges whole partials.
    blocksize
        Bytes per partition for uncompressed files (int or ``"64 MiB"``), or
        ``None`` for one partition per file.
    encoding, errors
        How file bytes are decoded, as in ``count_words``; a decoding error
        names the file and line (:class:`fastcount.io.InputDecodeError`).
    field
        Read JSON lines and count this field of each object, as in
        ``count_words``.
    storage_options
        Passed to fsspec for remote file systems (credentials...).
    retries
        With a ``distributed`` scheduler, how many times a task that raised
        is retried before the error reaches the caller. Tasks of a worker
        that died are rerun anyway (Dask's ``allowed-failures`` setting). A
        counting task that raised after it had begun counting (a decoding or
        tokenizer error, a compressed file that stops being readable) left
        its chain's count incomplete: its retries raise the same error.
    progress
        Show a progress bar of the cluster's tasks on stderr.

    Returns
    -------
    fastcount.Counter
        Word -> count.

    Raises
    ------
    ImportError
        Dask is not installed (``pip install 'fastcount[dask]'``).
    FileNotFoundError
        A path or glob matches nothing, before any task runs.
    Exception
        Whatever a task raised (a decoding or tokenizer error, with where it
        happened), after ``retries``; ``distributed.KilledWorker`` when a
        task keeps killing its worker.
    """
    graph = partial(
        _count_graph, source, tokenizer, min_count=min_count, top=top, split_every=split_every,
        shards=shards, blocksize=blocksize, encoding=encoding, errors=errors, field=field,
        storage_options=storage_options, tokenizer_options=tokenizer_options,
    )
    return _run_graph(graph, client, retries, progress)


def _run_graph(graph, client: Any, retries: int, progress: bool):
    """Build ``graph(client)`` (a ``dask.bag.Item``) for ``client`` (as
    :func:`count_words_dask` takes it: a Client, an address, or None) and
    compute it there, with ``retries`` and a progress bar on stderr."""
    dask = require()
    if isinstance(client, str):
        require(cluster=True)
        from distributed import Client

        with Client(client) as own_client:
            return _compute_distributed(own_client, graph(own_client), retries, progress)
    if client is None and dask.config.get("scheduler", None) == "dask.distributed":
        # A Client is the default scheduler: go through it for retries and progress.
        from distributed import default_client

        client = default_client()
    item = graph(client)
    if client is not None:
        return _compute_distributed(client, item, retries, progress)
    if progress:
        from dask.diagnostics import ProgressBar

        with ProgressBar(out=sys.stderr):
            return item.compute()
    return item.compute()


def _compute_distributed(client, item, retries: int, progress: bool):
    """Run ``item`` on ``client``, following it with a progress bar if asked."""
    future = client.compute(item, retries=retries)
    try:
        if progress:
            _progress_on_stderr([future])
        return future.result()
    finally:
        future.release()


def _progress_on_stderr(futures):
    """``distributed.progress`` drawn on stderr (its text bar writes to
    stdout, which would mix with counts printed there). Blocks until done."""
    from distributed.diagnostics.progressbar import TextProgressBar

    class StderrBar(TextProgressBar):
        def _draw_bar(self, remaining, all, **kwargs):
            done = all - remaining
            frac = done / all if all else 1.0
            bar = "#" * int(self.width * frac)
            sys.stderr.write(
                f"\r[{bar:<{self.width}}] {done}/{all} tasks | {int(100 * frac)}% | "
                f"{self.elapsed:.1f}s"
            )
            sys.stderr.flush()

        def _draw_stop(self, **kwargs):
            sys.stderr.write("\n")
            sys.stderr.flush()

    return StderrBar(futures)
