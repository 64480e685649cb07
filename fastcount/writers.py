"""Writers: counts in an output format, and the output file that appears only when complete.

A format is one function registered with :func:`output_format`; it gets a
:class:`Table` (the ``(word, count)`` pairs in the order to write them, and
what else the count knows: document frequencies, the number of documents and
texts, tags) and a text stream (or a binary one, with ``binary=True``), and
returns the words it had to leave out, if any. The command line offers every
registered format under ``--format``:

>>> @output_format("words", help="the words alone, one per line")   # doctest: +SKIP
... def _words(table, out):
...     out.writelines(f"{word}\\n" for word, _ in table.items)

Besides tsv, csv and json (with a document-frequency column when the table
has one), the formats are the files users feed next: ``jieba`` (a jieba
dictionary or user dictionary, ``word freq [tag]``), ``idf`` (jieba.analyse's
``idf.txt``), ``word2vec`` (word2vec's ``-save-vocab`` file) and ``gensim``
(``gensim.corpora.Dictionary.save_as_text``). A word a format cannot hold
(one with a space, in a space-separated format) is left out and returned,
for the caller to report; it is never dropped silently. :func:`save` writes
a count to a file in any format, atomically.

:class:`AtomicOutput` is the ``-o`` file: written under a temporary name in
its directory and renamed over the destination only when complete, so a
reader never sees a partial file under the final name. Where the platform
allows (Linux ``O_TMPFILE``), the temporary file has no name at all until
it is complete, so nothing is left behind even by ``SIGKILL``; elsewhere it
is a hidden ``.NAME.XXXX.tmp`` removed on any error, on Ctrl-C and (with the
command's handler, see :mod:`fastcount.cli`) on ``SIGTERM``.
"""

from __future__ import annotations

import csv
import errno
import itertools
import json
import math
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from typing import IO, Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

__all__ = [
    "FORMATS", "Format", "Table", "output_format", "write_counts", "write_table", "sorted_items",
    "format_for", "table_of", "save", "AtomicOutput",
]

Items = Sequence[Tuple[str, int]]


@dataclass
class Table:
    """What a format writes: the words in the order to write them, and what the count knows."""

    #: ``(word, count)`` pairs, in the order to write them (a word is a
    #: ``(word, tag)`` pair in a count by part of speech)
    items: Items
    #: the document frequency of each item's word, when counted
    dfs: Optional[Sequence[int]] = None
    #: the number of documents, when counted
    docs: Optional[int] = None
    #: the number of texts (lines) counted, when known
    texts: Optional[int] = None
    #: a part-of-speech tag per item (None where unknown), when tags were counted
    tags: Optional[Sequence[Optional[str]]] = None
    #: idf: ``ln((1 + docs) / (1 + df)) + 1`` instead of ``ln(docs / df)``
    smooth_idf: bool = False


class Format(NamedTuple):
    """One output format: how to write it, and its line in ``--format``'s help."""

    write: Callable[[Table, IO], Optional[List[str]]]
    help: str
    #: True: ``write`` gets a binary stream; False: a UTF-8 text stream
    binary: bool = False
    #: what the table must have: "dfs", "docs", "texts"
    needs: Tuple[str, ...] = ()
    #: file name endings that mean this format (``-o x.csv``)
    suffixes: Tuple[str, ...] = ()


#: Every output format, by name, in the order the help lists them.
FORMATS: Dict[str, Format] = {}


def output_format(name: str, *, help: str, binary: bool = False, needs: Sequence[str] = (),
                  suffixes: Sequence[str] = ()):
    """Register the decorated ``write(table, out) -> skipped words or None``
    as the output format ``name``; ``needs`` names the :class:`Table`
    fields it cannot do without, ``suffixes`` the file endings that mean it."""

    def register(write: Callable[[Table, IO], Optional[List[str]]]):
        FORMATS[name] = Format(write, help, binary, tuple(needs), tuple(suffixes))
        return write

    return register


def sorted_items(counts: Mapping[str, int]) -> List[Tuple[str, int]]:
    """``counts`` as ``(word, count)`` pairs, most common first, ties by word."""
    return sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))


def _spec(fmt: str) -> Format:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None


def write_counts(items: Items, out: IO, fmt: str) -> None:
    """Write ``(word, count)`` pairs to ``out`` in the format ``fmt`` (a name in :data:`FORMATS`)."""
    write_table(Table(items), out, fmt)


def write_table(table: Table, out: IO, fmt: str) -> List[str]:
    """Write ``table`` to ``out`` in the format ``fmt``; return the words it
    left out (those the format cannot hold). ValueError when the table lacks
    what the format needs."""
    spec = _spec(fmt)
    if fmt in _WORDS_ONLY and _tagged(table.items):
        raise ValueError(f"the {fmt} format holds words, not (word, tag) pairs")
    missing = [need for need in spec.needs if getattr(table, need) is None]
    if missing:
        raise ValueError(f"the {fmt} format needs {_NEEDS[missing[0]]}")
    return spec.write(table, out) or []


#: Formats whose lines hold a word, not a (word, tag) pair.
_WORDS_ONLY = frozenset(["idf", "word2vec", "gensim"])

_NEEDS = {
    "dfs": "document frequencies (count them: count_documents, or --df)",
    "docs": "the number of documents (count them: count_documents, or --df)",
    "texts": "the number of texts counted (pass texts=, or a DocumentCounts)",
}


def format_for(path: Optional[str], fmt: Optional[str] = None) -> str:
    """The format to write ``path`` in: ``fmt``, else the one its ending
    means (``.csv``, ``.json``, ``.idf``...), else tsv. ValueError when
    ``fmt`` and the ending disagree."""
    meant = None
    if path is not None:
        name = os.path.basename(os.fspath(path)).lower()
        meant = next((n for n, spec in FORMATS.items() if any(name.endswith(s) for s in spec.suffixes)), None)
    if fmt is None:
        return meant or "tsv"
    _spec(fmt)
    if meant is not None and meant != fmt:
        raise ValueError(f"format {fmt} conflicts with the output file {path} (a name for the {meant} "
                         f"format); rename the file or drop the format")
    return fmt


def table_of(result, *, texts: Optional[int] = None, smooth_idf: bool = False,
             dfs: Optional[bool] = None, tags: Optional[Callable[[str], Optional[str]]] = None) -> Table:
    """The :class:`Table` of a count, most common first, ties by word:
    ``result`` a mapping word -> count (a :class:`fastcount.Counter`) or a
    :class:`fastcount.documents.DocumentCounts` (its dfs, documents and
    texts; ``dfs=False`` leaves the dfs out of tsv/csv/json); ``texts``, the
    number of texts counted, for word2vec; ``tags``, a word's tag or None,
    for the jieba format's tag column (e.g. ``fastcount.posseg.dt.tagger().get_tag``:
    the dictionary's and the user words' tags)."""
    from fastcount.documents import DocumentCounts

    if isinstance(result, DocumentCounts):
        items = sorted_items(result.counts)
        column = [result.dfs[w] for w, _ in items] if dfs is not False else None
        if texts is None:
            texts = result.texts if result.texts is not None else result.docs
        table = Table(items, column, result.docs, texts, smooth_idf=smooth_idf)
    elif dfs:
        raise ValueError("document frequencies were not counted: count with count_documents")
    else:
        table = Table(sorted_items(result), texts=texts, smooth_idf=smooth_idf)
    if tags is not None and not _tagged(table.items):
        table.tags = [tags(w) for w, _ in table.items]
    return table


def save(result, path, format: Optional[str] = None, *, texts: Optional[int] = None,
         smooth_idf: bool = False, dfs: Optional[bool] = None,
         tags: Optional[Callable[[str], Optional[str]]] = None) -> List[str]:
    """Write a count to ``path`` in ``format`` (default: what the file's
    ending means, else tsv), atomically; return the words left out because
    the format cannot hold them.

    ``result`` and the options are those of :func:`table_of`: word2vec
    needs the number of texts (a DocumentCounts has it, or ``texts=``), idf
    and gensim need document frequencies (a DocumentCounts). Nothing is
    left at ``path`` on an error.
    """
    fmt = format_for(path, format)
    table = table_of(result, texts=texts, smooth_idf=smooth_idf, tags=tags,
                     dfs=dfs if dfs is not None or "dfs" in FORMATS[fmt].needs else None)
    with AtomicOutput(os.fspath(path), binary=FORMATS[fmt].binary) as output:
        return write_table(table, output.file, fmt)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _rows(table: Table) -> Iterator[tuple]:
    """Each item as a row: its word (and tag, for a count by part of
    speech), its count, and its df when counted."""
    dfs: Iterable = table.dfs if table.dfs is not None else itertools.repeat(None)
    for (key, count), df in zip(table.items, dfs):
        row = key if isinstance(key, tuple) else (key,)
        yield (*row, count) if df is None else (*row, count, df)


def _header(table: Table) -> tuple:
    return (("word", "tag") if _tagged(table.items) else ("word",)) + (
        ("count",) if table.dfs is None else ("count", "df"))


def _tagged(items: Items) -> bool:
    """Are the keys (word, tag) pairs (a count by part of speech, --with-pos)?"""
    return bool(items) and isinstance(items[0][0], tuple)


@output_format(
    "tsv", help=r"word<TAB>count[<TAB>df] lines, word<TAB>tag<TAB>count with --with-pos (\, tab, "
    r"newline and CR in a word written as \\, \t, \n, \r)",
    suffixes=(".tsv",),
)
def _tsv(table: Table, out: IO) -> None:
    out.writelines("\t".join(v.translate(_TSV_ESCAPES) if isinstance(v, str) else str(v) for v in row) + "\n"
                   for row in _rows(table))


@output_format("csv", help="word,count[,df] lines (word,tag,count with --with-pos) after a header "
               "(RFC 4180 quoting)", suffixes=(".csv",))
def _csv(table: Table, out: IO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_header(table))
    writer.writerows(_rows(table))


@output_format("json", help="one JSON object, word -> count (or -> {\"count\": N, \"df\": N}), in the order "
               "written (with --with-pos: an array of [word, tag, count])", suffixes=(".json",))
def _json(table: Table, out: IO) -> None:
    if _tagged(table.items):
        json.dump([list(row) for row in _rows(table)], out, ensure_ascii=False, indent=0)
    elif table.dfs is None:
        json.dump(dict(table.items), out, ensure_ascii=False, indent=0)
    else:
        json.dump({w: {"count": c, "df": d} for (w, c), d in zip(table.items, table.dfs)}, out,
                  ensure_ascii=False, indent=0)
    out.write("\n")


def _written(items, out: IO, line: Callable, cannot: Callable[..., bool]) -> List[str]:
    """Write ``line(*item)`` for each item whose word (and tag, the third
    field of a jieba row) the format can hold; return the words it cannot."""
    skipped = []
    for item in items:
        if cannot(*item[:1], *item[2:3]):
            skipped.append(item[0])
        else:
            out.write(line(*item))
    return skipped


# Line ends of str.splitlines, which jieba.analyse splits idf files at.
_LINE_ENDS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ASCII_SPACE = " \t\n\r\x0b\x0c"


#: A tag load_userdict reads (its line pattern ends with ``( [a-z]+)?$``).
_JIEBA_TAG = re.compile("[a-z]+")


def _jieba_cannot(word: str, tag: Optional[str] = None) -> bool:
    # jieba splits a line at " " and strips bytes.strip()'s whitespace around
    # it; load_userdict also drops a leading BOM
    return (not word or " " in word or _LINE_ENDS.search(word) is not None
            or word.strip(_ASCII_SPACE) != word or word.startswith("\ufeff")
            or (tag is not None and _JIEBA_TAG.fullmatch(tag) is None))


@output_format("jieba", help="a jieba dictionary: 'word count[ tag]' lines, for jieba.Tokenizer(dictionary=), "
               "set_dictionary or load_userdict (fastcount's too)", suffixes=(".dict",))
def _jieba(table: Table, out: IO) -> List[str]:
    if _tagged(table.items):
        rows = _one_row_per_word(table.items)
    else:
        tags = table.tags if table.tags is not None else [None] * len(table.items)
        rows = [(w, c, t) for (w, c), t in zip(table.items, tags)]
    return _written(rows, out, lambda w, c, t: f"{w} {c} {t}\n" if t else f"{w} {c}\n", _jieba_cannot)


def _one_row_per_word(items: Items) -> List[Tuple[str, int, str]]:
    """(word, tag) counts as ``(word, count, tag)`` rows, one per word (a
    jieba dictionary holds a word once; jieba would add a repeated word's
    frequency to its total twice): the word's counts summed, its most
    common tag; most common first, ties by word."""
    rows: Dict[str, list] = {}
    for (word, tag), count in sorted(items, key=lambda item: (-item[1], item[0])):
        row = rows.get(word)
        if row is None:
            rows[word] = [word, count, tag]
        else:
            row[1] += count
    return sorted(map(tuple, rows.values()), key=lambda row: (-row[1], row[0]))


def _idf_cannot(word: str) -> bool:
    # jieba.analyse: content.splitlines(), then line.strip().split(" ")
    return not word or " " in word or _LINE_ENDS.search(word) is not None or word.strip() != word


@output_format("idf", help="jieba.analyse's idf.txt: 'word idf' lines, idf = ln(documents / df) "
               "(--smooth-idf: ln((1 + documents) / (1 + df)) + 1)", needs=("dfs", "docs"),
               suffixes=(".idf",))
def _idf(table: Table, out: IO) -> List[str]:
    n = table.docs
    if table.smooth_idf:
        def idf(df):
            return math.log((1 + n) / (1 + df)) + 1
    else:
        def idf(df):
            return math.log(n / df)
    return _written([(w, d) for (w, _), d in zip(table.items, table.dfs)], out,
                    lambda w, d: f"{w} {idf(d)!r}\n", _idf_cannot)


#: word2vec keeps the first MAX_STRING - 2 bytes of a longer word
_W2V_MAX_BYTES = 98


def _w2v_cannot(word: str) -> bool:
    # word2vec's ReadWord: words end at " ", "\t", "\n"; "\r" is skipped;
    # "</s>" is its line end
    return (not word or any(c in word for c in " \t\n\r") or word == "</s>"
            or len(word.encode("utf-8", "surrogatepass")) > _W2V_MAX_BYTES)


@output_format("word2vec", help="word2vec's -save-vocab file: '</s> texts', then 'word count' lines, "
               "most common first (for -read-vocab with a corpus made by fastcount cut)",
               needs=("texts",), suffixes=(".vocab",))
def _word2vec(table: Table, out: IO) -> List[str]:
    out.write(f"</s> {table.texts}\n")
    return _written(table.items, out, lambda w, c: f"{w} {c}\n", _w2v_cannot)


def _gensim_cannot(word: str) -> bool:
    return "\t" in word or "\n" in word


@output_format("gensim", help="gensim's Dictionary.save_as_text: the number of documents, then "
               "'id<TAB>word<TAB>df' lines by word (ids most common first), for Dictionary.load_from_text",
               needs=("dfs", "docs"), suffixes=(".gensim",))
def _gensim(table: Table, out: IO) -> List[str]:
    out.write(f"{table.docs}\n")
    kept = [(w, d) for (w, _), d in zip(table.items, table.dfs) if not _gensim_cannot(w)]
    out.writelines(f"{i}\t{w}\t{d}\n" for w, i, d in sorted((w, i, d) for i, (w, d) in enumerate(kept)))
    return [w for w, _ in table.items if _gensim_cannot(w)]


class AtomicOutput:
    """A file that appears under ``path`` only when :meth:`commit` is called.

    Created at once in ``path``'s directory, so an unwritable destination
    fails before any work is done; :meth:`discard` (or leaving a ``with``
    block by an exception) removes every trace of it. ``binary`` gives a
    binary :attr:`file`; otherwise it is UTF-8 text, written as is
    (``newline=""``). The file gets the permissions a new file would get
    (``0666`` less the umask), whatever the temporary mechanism.
    """

    def __init__(self, path: str, binary: bool = False):
        self.path = path
        self._directory = os.path.dirname(os.path.abspath(path))
        self._name = os.path.basename(path)
        self._tmp = None  # the temporary's name, when it has one
        fd = _open_unnamed(self._directory)
        if fd is None:
            fd, self._tmp = tempfile.mkstemp(dir=self._directory, prefix=f".{self._name}.", suffix=".tmp")
        self._fd = fd
        if binary:
            self.file: IO = os.fdopen(fd, "wb")
        else:
            self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        """Write out what is buffered and rename the file into place."""
        self.file.flush()
        if self._tmp is None:
            # Give the unnamed file a name of its own, then rename that over
            # the destination (linkat cannot replace an existing file).
            self._tmp = _link_unnamed(self._fd, self._directory, self._name)
        else:
            os.chmod(self._tmp, 0o666 & ~_umask())  # mkstemp makes 0600
        self.file.close()
        os.replace(self._tmp, self.path)
        self._tmp = None

    def discard(self) -> None:
        """Close and remove the temporary file (nothing happens once committed)."""
        try:
            self.file.close()
        except OSError:
            pass  # a write that failed (disk full) fails again on close: the file goes anyway
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None

    def __enter__(self) -> "AtomicOutput":
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is None and not self.file.closed:
            self.commit()
        else:
            self.discard()


def _open_unnamed(directory: str):
    """An fd of a new file in ``directory`` with no name yet (Linux O_TMPFILE), or None."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or os.link not in os.supports_dir_fd or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as err:
        if err.errno in _NO_TMPFILE:
            return None  # a file system without O_TMPFILE: mkstemp's name instead
        raise


# What open(O_TMPFILE) says where the file system or kernel lacks it.
_NO_TMPFILE = frozenset(
    getattr(errno, name) for name in ("EOPNOTSUPP", "ENOTSUP", "EISDIR", "EINVAL") if hasattr(errno, name)
)


def _link_unnamed(fd: int, directory: str, name: str) -> str:
    """Give the unnamed file ``fd`` a new hidden name beside ``name``; return it."""
    # linkat(AT_SYMLINK_FOLLOW) on the /proc link is the documented way; os.link
    # calls linkat only when given a directory fd (link() would not follow it).
    dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for _ in range(100):
            tmp = f".{name}.{secrets.token_hex(4)}.tmp"
            try:
                os.link(f"/proc/self/fd/{fd}", tmp, dst_dir_fd=dir_fd, follow_symlinks=True)
                return os.path.join(directory, tmp)
            except FileExistsError:
                continue
    finally:
        os.close(dir_fd)
    raise FileExistsError(errno.EEXIST, "no free temporary name", os.path.join(directory, name))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
