"""Cutting a source into chunks: the units of work handed to the workers.

The readers (:mod:`fastcount.io`) turn a source into streams of *pieces*:
a text, or a :class:`fastcount.io.Block` of whole lines of a file, or a
:class:`ListSpan` of a list of texts this process holds. :func:`chunked`
groups the pieces into :class:`Chunk` s of about ``chunk_size`` bytes, each
knowing where its texts come from (``file:line`` or item number), so that an
error raised on any of its texts can name the place.

A list of texts counted by threads of this process, or by worker processes
forked after the count starts, is not copied into chunks: it is registered
for the duration of the count (:func:`shared_list`) and its chunks are spans
of it, three ints each, read in place.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

from fastcount import io as fio

__all__ = [
    "Chunk",
    "ListSpan",
    "shared_list",
    "chunk_texts",
    "document_runs",
    "checked_texts",
    "text_sizes",
    "chunked",
    "chunks_of_texts",
    "source_streams",
]


@dataclass
class Chunk:
    """One unit of work: texts, blocks of lines (decoded where counted) or spans of a list."""

    #: str (one text), fastcount.io.Block (whole lines of a file) or ListSpan
    parts: list
    ntexts: int
    #: UTF-8 bytes of its texts; None until counted when not known before
    nbytes: Optional[int]
    #: (index of the first text, file name or None for an iterable, line or
    #: item number of that text): enough to name the place of any text
    places: List[tuple]
    #: with documents by file (see :func:`chunked`): ``(index of the first
    #: part, document number, shared)`` for each file's run of parts, in order;
    #: ``shared``: the file may have parts in other chunks too
    docs: Optional[List[Tuple[int, int, bool]]] = None

    def place(self, index: Optional[int]) -> str:
        """Where text ``index`` of the chunk comes from (``file:line``, ``item
        N of the source``); with None, the chunk as a whole."""
        if index is None:
            start, label, number = self.places[0]
            first = f"{label}:{number}" if label is not None else f"item {number}"
            return f"a chunk of {self.ntexts} texts starting at {first}"
        for start, label, number in reversed(self.places):
            if start <= index:
                number += index - start
                return f"{label}:{number}" if label is not None else f"item {number} of the source"
        raise AssertionError("places always start at index 0")


@dataclass(frozen=True)
class ListSpan:
    """Texts ``start:end`` of the list registered under ``key`` (:func:`shared_list`):
    a chunk of it travels as three ints, not as its texts pickled."""

    key: int
    start: int
    end: int


#: The lists of texts being counted, by key: read by this process's
#: threads and by worker processes forked while they are registered.
_lists: dict = {}
_keys = itertools.count()


@contextlib.contextmanager
def shared_list(texts: Sequence[str]) -> Iterator[int]:
    """Register ``texts`` for :class:`ListSpan` s of it while the block runs; yields its key.

    Each call gets its own key (counts running in several threads at once
    read their own lists); the list is released when the block ends,
    whatever happens.
    """
    key = next(_keys)
    _lists[key] = texts
    try:
        yield key
    finally:
        del _lists[key]


def chunk_texts(parts: list) -> List[str]:
    """The texts of a chunk's parts: blocks decoded and split, spans looked up."""
    if not any(isinstance(part, (fio.Block, ListSpan)) for part in parts):
        return parts
    texts: List[str] = []
    for part in parts:
        if isinstance(part, fio.Block):
            texts.extend(part.texts())
        elif isinstance(part, ListSpan):
            texts.extend(_lists[part.key][part.start : part.end])
        else:
            texts.append(part)
    return texts


def document_runs(parts: list, docs: Optional[List[Tuple[int, int, bool]]]) -> List[tuple]:
    """``(document, shared, texts)`` for each file's run of a chunk's parts
    (see :attr:`Chunk.docs`); without ``docs``, one run of every text with
    document None."""
    if docs is None:
        return [(None, False, chunk_texts(parts))]
    ends = [start for start, _, _ in docs[1:]] + [len(parts)]
    return [(doc, shared, chunk_texts(parts[start:end])) for (start, doc, shared), end in zip(docs, ends)]


def checked_texts(items: Iterable, start: int = 0) -> Iterator[tuple]:
    """``(text, 1, utf8 size)`` pieces of an iterable of texts (the first one
    item ``start`` of the source); TypeError names a bad item."""
    for i, text in enumerate(items, start):
        if not isinstance(text, str):
            raise TypeError(f"item {i} of the source is {type(text).__name__}, not str")
        yield text, 1, len(text.encode("utf-8", "surrogatepass"))


def text_sizes(texts: Sequence, utf8: bool, batch: int = 512) -> Iterator[int]:
    """The sizes of a list of texts, UTF-8 bytes or (without ``utf8``) code
    points, batch by batch as they are taken (C loops over each batch);
    TypeError names a non-str item."""
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        if not set(map(type, part)) <= {str}:
            for _ in checked_texts(part, start):  # raises at the first non-str
                pass
        if not utf8:
            yield from map(len, part)
            continue
        try:
            yield from list(map(len, map(str.encode, part)))
        except UnicodeEncodeError:  # a lone surrogate
            yield from [len(text.encode("utf-8", "surrogatepass")) for text in part]


def _span_pieces(key: int, sizes: Iterable[int], block_size: int) -> Iterator[tuple]:
    """``(ListSpan, texts in it, size)`` pieces of about ``block_size``, from
    the texts' sizes (bytes or code points; a list, or a generator sizing
    them as the pieces are taken)."""
    start = end = size = 0
    for end, n in enumerate(sizes, 1):
        size += n
        if size >= block_size:
            yield ListSpan(key, start, end), end - start, size
            start, size = end, 0
    if start < end:
        yield ListSpan(key, start, end), end - start, size


def chunked(
    streams: Iterable[tuple], chunk_size: int, total: Optional[int] = None, workers: int = 1,
    sized: bool = True, by_file: bool = False, smallest: Optional[int] = None,
) -> Iterator[Chunk]:
    """Cut ``(label, first number, iterator of pieces)`` streams into chunks.

    A piece is ``(text or Block or ListSpan, texts in it, bytes)``; a chunk
    closes once it holds ``chunk_size`` bytes. Without ``sized`` the pieces'
    sizes are only estimates (code points) and the chunks' ``nbytes`` are
    None, for the counter to measure. With ``total``, the input's size,
    chunks near the end close at a share of what is left (down to
    ``smallest``, by default a quarter of ``chunk_size``; the pieces should
    be no larger), so that no worker still counts a whole chunk while the
    others have nothing left to do.

    With ``by_file``, each stream (a file) is a document, numbered from 0 in
    order: the chunks' ``docs`` say where each one's parts begin, and which
    ones a chunk boundary cuts (``shared``: a worker counting such a part
    cannot know alone whether the file's other parts hold a word).
    """
    parts: list = []
    places: List[tuple] = []
    docs: Optional[list] = [] if by_file else None
    ntexts = nbytes = 0
    target, cut = chunk_size, 0
    smallest = chunk_size // 4 if smallest is None else smallest
    for doc, (label, number, pieces) in enumerate(streams):
        places.append((ntexts, label, number))
        if docs is not None:
            docs.append((len(parts), doc, False))
        for part, n, size in pieces:
            parts.append(part)
            ntexts += n
            number += n
            nbytes += size + 1  # + 1: empty texts cost something too
            if nbytes >= target:
                if docs is not None:
                    docs[-1] = (docs[-1][0], doc, True)  # the file may go on in the next chunk
                yield Chunk(parts, ntexts, nbytes - len(parts) if sized else None, places, docs)
                if total is not None:
                    cut += nbytes
                    target = max(min(chunk_size, (total - cut) // (2 * workers)), smallest)
                parts, places, ntexts, nbytes = [], [(0, label, number)], 0, 0
                docs = [(0, doc, True)] if by_file else None
    if parts or docs:
        yield Chunk(parts, ntexts, nbytes - len(parts) if sized else None, places, docs)


def chunks_of_texts(texts: Iterable, chunk_size: int) -> Iterator[Chunk]:
    """An iterable of texts (a partition) in chunks of ``chunk_size`` bytes;
    TypeError names a non-str item when its chunk is taken."""
    return chunked([(None, 0, checked_texts(texts))], chunk_size)


@contextlib.contextmanager
def source_streams(
    source, encoding: str, errors: str, field: Optional[str],
    block_size: Callable[[Optional[int]], int], share: bool = False, need_total: bool = True,
) -> Iterator[Tuple[Iterable[tuple], Optional[int], bool]]:
    """While the block runs: the reader streams of ``source`` for
    :func:`chunked`, its total size in bytes if known, and whether the
    pieces' sizes are exact. Pieces (file blocks, spans of a list) are of
    about ``block_size(total)`` bytes.

    With ``share``, a list or tuple of texts is registered
    (:func:`shared_list`) and cut into spans of itself; without
    ``need_total`` its texts are then measured in code points (no UTF-8 to
    make: the counters measure the bytes) and its total is not known.
    """
    specs = fio.path_specs(source)
    if specs is None:
        if field is not None:
            raise ValueError("field= applies to JSON-lines files, not to an iterable of texts")
        if isinstance(source, (bytes, bytearray)) or not hasattr(source, "__iter__"):
            raise TypeError(
                f"source must be an iterable of str or path(s), not {type(source).__name__}"
            )
        if not isinstance(source, (list, tuple)) or not (share or need_total):
            yield [(None, 0, checked_texts(source))], None, True
        elif not share:
            sizes = list(text_sizes(source, utf8=True))
            yield [(None, 0, zip(source, itertools.repeat(1), sizes))], sum(sizes), True
        else:
            with shared_list(source) as key:
                if not need_total:
                    # cut by code points; the counters measure the UTF-8 bytes
                    lengths = text_sizes(source, utf8=False)
                    yield [(None, 0, _span_pieces(key, lengths, block_size(None)))], None, False
                else:
                    sizes = list(text_sizes(source, utf8=True))
                    total = sum(sizes)
                    yield [(None, 0, _span_pieces(key, sizes, block_size(total)))], total, True
        return
    sources = fio.resolve_paths(specs)
    fio.check_field(sources, field)
    sizes = [s.size for s in sources]
    total = sum(sizes) if None not in sizes else None
    yield (
        (fio.display_name(s), 1, fio.iter_pieces(s, encoding, errors, field, block_size(total)))
        for s in sources
    ), total, True
