"""The ``fastcount`` command: ``fastcount count PATH...`` (also ``python -m fastcount``).

Counts the words of files (or stdin, ``-``) with :func:`fastcount.count_words`
and writes them sorted by count, most common first, then by word. With no
path it counts the sample text shipped in the package and prints the top
20 words. A throughput line goes to stderr (``--quiet`` drops it), and a
progress bar when stderr is a terminal.

``fastcount count --dask PATH...`` runs the same count with Dask on a local
cluster of ``-j N`` processes (default: Dask's sizing), and ``fastcount
count --scheduler tcp://host:8786 PATH...`` on an existing cluster, whose
workers must see the files under the same paths; both use
:func:`fastcount.dask.count_words_dask` and need ``pip install
"fastcount[dask]"``. The output is the same as without them.

Exit codes: 0 done; 1 counting failed (the traceback is printed); 2 bad
usage or bad input (a one-line message: a path that cannot be read, bytes
that do not decode, malformed JSON lines, ...); 130 interrupted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
from contextlib import ExitStack
from typing import List, Optional, Sequence, TextIO, Tuple

from fastcount import io as fio
from fastcount.tokenizers import NAMES

__all__ = ["main", "build_parser", "write_counts"]

#: --top when no path is given (the shipped sample): a screenful.
SAMPLE_TOP = 20
SAMPLE = "reviews-sample.txt"
#: How long --scheduler waits to connect before giving up.
CONNECT_TIMEOUT = "10s"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``fastcount`` command."""
    parser = argparse.ArgumentParser(
        prog="fastcount", description="Fast, exact word-frequency counting."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    count = sub.add_parser(
        "count",
        help="count the words of text files",
        description="Count the words of text files (one text per line; .gz/.bz2/.xz "
        "read as they are; '-' is stdin) and print them, most common first. With no "
        f"PATH, count the sample text shipped with fastcount and print its top {SAMPLE_TOP}.",
    )
    count.add_argument("paths", nargs="*", metavar="PATH", help="file, glob, directory or '-'")
    count.add_argument("-j", "--workers", type=_positive, default=None, metavar="N",
                       help="workers: threads with the native jieba tokenizer, processes with "
                       "the others (default: every core)")
    count.add_argument("--tokenizer", default="jieba", metavar="|".join(NAMES) + "|REGEX",
                       help="how to split texts into words (default: jieba); "
                       "a REGEX counts its matches")
    count.add_argument("--no-hmm", dest="hmm", action="store_false",
                       help="jieba: do not guess unknown words with the HMM")
    count.add_argument("--cut-all", action="store_true", help="jieba: full mode")
    count.add_argument("--user-dict", metavar="FILE", help="jieba: user dictionary")
    count.add_argument("--keep-whitespace", action="store_true",
                       help="count whitespace-only tokens too")
    count.add_argument("--min-count", type=_positive, default=1, metavar="N",
                       help="drop words seen fewer than N times")
    count.add_argument("--top", type=_non_negative, default=None, metavar="K",
                       help="keep the K most common words (ties broken by word)")
    count.add_argument("--format", choices=("tsv", "csv", "json"), default="tsv",
                       help="tsv: word<TAB>count lines (\\\\, tab, newline, CR escaped "
                       "as \\\\\\\\, \\\\t, \\\\n, \\\\r); csv: with a header; "
                       "json: one object, word -> count")
    count.add_argument("-o", "--output", metavar="FILE",
                       help="write here (atomically: a temporary file renamed when complete)")
    count.add_argument("--encoding", default="utf-8", metavar="E", help="of the input files")
    count.add_argument("--errors", choices=("strict", "replace", "ignore"), default="strict",
                       help="what to do with bytes that do not decode (default: stop)")
    count.add_argument("--field", metavar="NAME",
                       help="the input is JSON lines; count the text in this field")
    count.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bar and no throughput line")
    engine = count.add_mutually_exclusive_group()
    engine.add_argument("--dask", action="store_true",
                        help="count with Dask on a local cluster of -j processes")
    engine.add_argument("--scheduler", metavar="ADDRESS",
                        help="count on the Dask cluster of this scheduler (tcp://host:8786); "
                        "its workers must see the files under the same paths")
    return parser


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {n}")
    return n


def _non_negative(value: str) -> int:
    n = int(value)
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {n}")
    return n


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def write_counts(items: Sequence[Tuple[str, int]], out: TextIO, fmt: str) -> None:
    """Write ``(word, count)`` pairs to ``out`` as tsv, csv or json."""
    if fmt == "tsv":
        out.writelines(f"{w.translate(_TSV_ESCAPES)}\t{c}\n" for w, c in items)
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("word", "count"))
        writer.writerows(items)
    elif fmt == "json":
        json.dump(dict(items), out, ensure_ascii=False, indent=0)
        out.write("\n")
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _sorted_items(counts) -> List[Tuple[str, int]]:
    return sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))


class _AtomicOutput:
    """A file written under a temporary name in its directory, renamed on success.

    The temporary file is created first, so an unwritable destination fails
    before any counting; on any error (or Ctrl-C) it is removed, so a
    partial result never sits under the final name.
    """

    def __init__(self, path: str):
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        fd, self.tmp = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
        self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.file.close()
        mask = os.umask(0)  # mkstemp makes 0600; give the usual 0666 - umask
        os.umask(mask)
        os.chmod(self.tmp, 0o666 & ~mask)
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.file.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def _error(message: str) -> int:
    print(f"fastcount: error: {message}", file=sys.stderr)
    return 2


def _os_error(err: OSError) -> str:
    if err.filename is not None:
        return f"cannot read {err.filename}: {err.strerror or err}"
    return str(err)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``fastcount`` command with ``argv`` (default: ``sys.argv[1:]``); return its exit code."""
    from fastcount.pipeline import CountStats, count_words, RemoteTraceback

    args = build_parser().parse_args(argv)
    top = args.top
    with ExitStack() as stack:
        paths = list(args.paths)
        if not paths:
            from importlib.resources import as_file, files

            paths = [str(stack.enter_context(as_file(files("fastcount") / "data" / SAMPLE)))]
            if top is None:
                top = SAMPLE_TOP
        if args.tokenizer not in NAMES:
            try:
                re.compile(args.tokenizer)
            except re.error as err:
                return _error(f"--tokenizer {args.tokenizer!r} is not a valid regex: {err}")
        on_dask = args.dask or args.scheduler is not None
        if on_dask:
            flag = "--dask" if args.dask else "--scheduler"
            if fio.STDIN in paths:
                return _error(f"{flag} cannot read standard input ('-'): the cluster reads the files")
            if args.scheduler is not None and args.workers is not None:
                return _error("-j sizes a local run or --dask; a --scheduler cluster has its own workers")
            try:
                import dask.bag  # noqa: F401
                import distributed  # noqa: F401
            except ImportError as err:
                from fastcount.dask import _EXTRA_HINT

                return _error(f"{flag} needs Dask: {_EXTRA_HINT} ({err})")
        output = None
        if args.output is not None:
            try:
                output = _AtomicOutput(args.output)
            except OSError as err:
                return _error(f"cannot write {args.output}: {err.strerror or err}")
        options = dict(
            hmm=args.hmm,
            cut_all=args.cut_all,
            user_dict=args.user_dict,
            min_count=args.min_count,
            top=top,
            keep_whitespace=args.keep_whitespace,
            encoding=args.encoding,
            errors=args.errors,
            field=args.field,
            progress=not args.quiet and sys.stderr.isatty(),
        )
        try:
            if on_dask:
                counts, summary = _count_on_dask(args, paths, options)
            else:
                stats = CountStats()
                counts = count_words(
                    _as_source(paths), args.tokenizer, workers=args.workers, stats=stats, **options
                )
                summary = stats.summary()
            items = _sorted_items(counts)
            if output is not None:
                write_counts(items, output.file, args.format)
                output.commit()
                output = None
            else:
                write_counts(items, sys.stdout, args.format)
                sys.stdout.flush()
        except KeyboardInterrupt:
            print("fastcount: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # The reader of stdout left (| head): stop quietly, and keep
            # Python from complaining when it flushes stdout at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        except (fio.InputError, OSError, LookupError) as err:
            return _error(_os_error(err) if isinstance(err, OSError) else str(err))
        except ValueError as err:
            if isinstance(err.__cause__, RemoteTraceback) or getattr(err, "__notes__", None):
                raise  # raised while counting: a bug to report, with its traceback
            return _error(str(err))
        finally:
            if output is not None:
                output.discard()
        if not args.quiet:
            print(f"fastcount: {summary}", file=sys.stderr)
    return 0


def _count_on_dask(args: argparse.Namespace, paths: Sequence[str], options: dict):
    """Count ``paths`` with :func:`fastcount.dask.count_words_dask` on the
    cluster the options name; return the counts and a line for stderr.

    An unreachable or malformed scheduler address raises ConnectionError
    naming it (an OSError: main reports it in one line).
    """
    import logging
    import time

    import dask
    from distributed import Client, LocalCluster

    from fastcount.dask import count_words_dask

    start = time.perf_counter()
    with ExitStack() as stack:
        if args.scheduler is not None:
            try:
                client = stack.enter_context(Client(args.scheduler, timeout=CONNECT_TIMEOUT))
            except (OSError, ValueError) as err:
                raise ConnectionError(
                    f"cannot reach the Dask scheduler at {args.scheduler}: {err}"
                ) from None
            where = args.scheduler
        else:
            # One thread per worker with -j: N processes count N blocks at once,
            # as -j does without Dask. Workers log a failed task with its
            # traceback on our stderr; the error reaches main anyway, which
            # reports bad input in one line, so their logs are silenced. Any
            # free port for the scheduler's HTTP server: 8787 may be taken by
            # another cluster, which would print a warning. No one looks at
            # this cluster's dashboard: its workers run without Dask's
            # statistical profiler, which samples them every 10 ms.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = stack.enter_context(LocalCluster(
                    n_workers=args.workers, threads_per_worker=1 if args.workers else None,
                    processes=True, dashboard_address=":0", silence_logs=logging.CRITICAL,
                ))
            client = stack.enter_context(Client(cluster))
            where = "local cluster"
        # Absolute paths: a remote worker's working directory is not ours.
        # URLs (s3://...) go to fsspec as they are.
        source = [p if "://" in p else os.path.abspath(p) for p in paths]
        user_dict = options["user_dict"]
        if user_dict is not None:
            options = dict(options, user_dict=os.path.abspath(user_dict))
        counts = count_words_dask(source, args.tokenizer, client=client, **options)
        workers = len(client.nthreads())
    seconds = time.perf_counter() - start
    return counts, (
        f"counted with Dask in {seconds:.2f} s ({where}, {workers} worker"
        f"{'s' if workers != 1 else ''}, {args.tokenizer}): {len(counts):,} words written"
    )


def _as_source(paths: Sequence[str]):
    """Paths as count_words takes them: one str, or a list holding Path objects."""
    import pathlib

    if all(p == fio.STDIN for p in paths):
        return fio.STDIN
    # Path objects mark the list as paths, never to be taken for texts.
    return [p if p == fio.STDIN else pathlib.Path(p) for p in paths]
