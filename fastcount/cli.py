"""The ``fastcount`` command (also ``python -m fastcount``): parser, shared options, job, exit codes.

The sub-commands live in modules of their own (:mod:`fastcount.cli_count`,
:mod:`fastcount.cli_cut`, :mod:`fastcount.cli_ngrams`), which register
themselves when this module is imported; :func:`main` parses the command
line, makes the :class:`Job` and turns what went wrong into an exit code
and one line on stderr.

Exit codes (:data:`EXIT_CODES`): 0 done; 1 counting failed (a bug: the
traceback is printed); 2 bad usage or bad input (one line naming the file
and line); 3 the system refused (disk full, permission denied, I/O error);
4 done, but some input files were left out (``--skip-bad-files``: each is
named on stderr, and counted in the statistics line); 130 interrupted
(Ctrl-C); 141 stdout closed by its reader (``| head``: 128 + SIGPIPE,
what ``cat`` and ``grep`` give; nothing is printed); 143 terminated
(SIGTERM). An ``-o`` file appears only complete: on any failure nothing
is left behind.

Adding a sub-command: write ``run(args, job) -> str`` (do the work through
``job``, return the line for stderr) and ``arguments(group)`` (its own
options) in a module ``cli_NAME`` imported at the end of this one, and
register both with :func:`subcommand`, naming the shared
option groups it takes (:data:`SHARED_GROUPS`: input files, tokenizer,
workers, output file, counts format). :class:`Job` gives it the inputs
(``job.count`` runs a counting function over them, skipping bad files if
asked), the tokenizer options and the output (``job.write_counts``).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import io
import os
import pathlib
import re
import signal
import stat
import sys
from contextlib import ExitStack
from typing import IO, Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from fastcount import io as fio
from fastcount import writers
from fastcount.options import NAMES

__all__ = ["main", "build_parser", "subcommand", "SubCommand", "Job", "SUBCOMMANDS", "EXIT_CODES"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_SKIPPED = 4
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_BROKEN_PIPE = 128 + getattr(signal, "SIGPIPE", 13)
EXIT_TERMINATED = 128 + signal.SIGTERM

#: Every exit code of the command, and what it means.
EXIT_CODES: Dict[int, str] = {
    EXIT_OK: "done",
    EXIT_FAILED: "counting failed (a bug: the traceback is printed)",
    EXIT_USAGE: "bad usage or bad input (one line naming the file and line)",
    EXIT_ENVIRONMENT: "the system refused (disk full, permission denied, I/O error)",
    EXIT_SKIPPED: "done, but some input files were left out (--skip-bad-files; named on stderr)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_BROKEN_PIPE: "stdout closed by its reader (| head), as cat and grep",
    EXIT_TERMINATED: "terminated (SIGTERM)",
}

#: --top when no path is given (the shipped sample): a screenful.
SAMPLE_TOP = 20
SAMPLE = "reviews-sample.txt"

# OSErrors that say the machine refused, not that the user named the wrong thing.
_ENVIRONMENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("EACCES", "EPERM", "ENOSPC", "EDQUOT", "EIO", "EROFS", "EMFILE", "ENFILE",
                 "ENOMEM", "EFBIG", "ETXTBSY", "EBUSY", "ESTALE")
    if hasattr(errno, name)
)


class SubCommand(NamedTuple):
    """A sub-command of ``fastcount``: see :func:`subcommand`."""

    name: str
    help: str
    description: str
    arguments: Callable[[argparse._ArgumentGroup], None]
    run: Callable[[argparse.Namespace, "Job"], str]
    shared: Tuple[str, ...]


#: The sub-commands, by name, in the order ``fastcount --help`` lists them.
SUBCOMMANDS: Dict[str, SubCommand] = {}


def subcommand(
    name: str, *, help: str, description: str,
    arguments: Callable[[argparse._ArgumentGroup], None],
    shared: Sequence[str] = ("input", "tokenizer", "workers", "output", "counts"),
):
    """Register the decorated ``run(args, job) -> str`` as ``fastcount NAME``.

    ``arguments(group)`` adds the sub-command's own options to its argument
    group; ``shared`` names the option groups of :data:`SHARED_GROUPS` it
    takes too. ``run`` does the work through ``job`` (:class:`Job`) and
    returns the line printed on stderr at the end (unless ``--quiet``).
    """
    unknown = set(shared) - set(SHARED_GROUPS)
    if unknown:
        raise ValueError(f"unknown shared option groups {sorted(unknown)}; known: {list(SHARED_GROUPS)}")

    def register(run: Callable[[argparse.Namespace, "Job"], str]):
        SUBCOMMANDS[name] = SubCommand(name, help, description, arguments, run, tuple(shared))
        return run

    return register


# ------------------------------------------------------------ shared options


def _input_options(group) -> None:
    group.add_argument("paths", nargs="*", metavar="PATH",
                       help="file, glob, directory or '-' (stdin); none: the shipped sample")
    group.add_argument("--encoding", default="utf-8", metavar="E", help="of the input files (default: utf-8)")
    group.add_argument("--errors", choices=("strict", "replace", "ignore"), default="strict",
                       help="what to do with bytes that do not decode (default: stop)")
    group.add_argument("--field", metavar="NAME",
                       help="the input is JSON lines; count the text in this field")
    group.add_argument("--include", action="append", default=[], metavar="GLOB",
                       help="of the files found in directories and by globs, read only those "
                       "whose name matches (a GLOB with a '/': whose path matches); repeatable")
    group.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="of the files found in directories and by globs, leave out those "
                       "whose name (or path, for a GLOB with a '/') matches; repeatable")
    group.add_argument("--skip-bad-files", action="store_true",
                       help="leave out files that cannot be read, decompressed or decoded "
                       f"(each named on stderr; exit code {EXIT_SKIPPED}) instead of stopping; "
                       "a file found bad after counting began costs a second count")


def _tokenizer_options(group) -> None:
    group.add_argument("--tokenizer", default="jieba", metavar="|".join(NAMES) + "|REGEX",
                       help="how to split texts into words (default: jieba); "
                       "a REGEX counts its matches")
    group.add_argument("--no-hmm", dest="hmm", action="store_false",
                       help="jieba: do not guess unknown words with the HMM")
    group.add_argument("--cut-all", action="store_true", help="jieba: full mode")
    group.add_argument("--user-dict", metavar="FILE", help="jieba: user dictionary")
    group.add_argument("--keep-whitespace", action="store_true",
                       help="count whitespace-only tokens too")


def _workers_options(group) -> None:
    group.add_argument("-j", "--workers", type=_positive, default=None, metavar="N",
                       help="workers: threads with the native jieba tokenizer, processes with "
                       "the others (default: every core)")


def _output_options(group) -> None:
    group.add_argument("-o", "--output", metavar="FILE",
                       help="write here (it appears only when complete; default: stdout)")
    group.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bar and no statistics line")


def _counts_options(group) -> None:
    group.add_argument("--min-count", type=_positive, default=1, metavar="N",
                       help="drop words seen fewer than N times")
    group.add_argument("--top", type=_non_negative, default=None, metavar="K",
                       help="keep the K most common words (ties broken by word)")
    group.add_argument("--format", choices=tuple(writers.FORMATS), default=None,
                       help="; ".join(f"{name}: {spec.help}" for name, spec in writers.FORMATS.items())
                       .replace("%", "%%") + " (default: what the -o file's ending means, "
                       "e.g. .csv, .json, .idf, .vocab, .dict, .gensim; else tsv)")


def _filter_options(group) -> None:
    group.add_argument("--stopwords", action="append", default=[], metavar="FILE",
                       help="drop the words of FILE (one per line, UTF-8); repeatable")
    group.add_argument("--no-punct", action="store_true",
                       help="drop words made only of punctuation and symbols (Unicode P*, S*)")
    group.add_argument("--min-len", type=_non_negative, default=None, metavar="N",
                       help="drop words of fewer than N characters")
    group.add_argument("--max-len", type=_non_negative, default=None, metavar="N",
                       help="drop words of more than N characters")
    group.add_argument("--keep-regex", metavar="REGEX",
                       help="keep only words in which REGEX matches (re.search)")
    group.add_argument("--drop-regex", metavar="REGEX", help="drop words in which REGEX matches")


#: Option groups a sub-command can take: name -> (title, function adding them).
SHARED_GROUPS: Dict[str, Tuple[str, Callable]] = {
    "input": ("input", _input_options),
    "tokenizer": ("tokenizer", _tokenizer_options),
    "workers": ("workers", _workers_options),
    "output": ("output", _output_options),
    "counts": ("counts", _counts_options),
    "filters": ("filters (applied to the words after segmentation)", _filter_options),
}


def _positive(value: str) -> int:
    n = _integer(value, "a positive integer")
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def _non_negative(value: str) -> int:
    n = _integer(value, "a non-negative integer")
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value!r}")
    return n


def _integer(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {value!r}") from None


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose type errors read "--top: expected ..., got 'abc'"."""

    #: the sub-commands' parsers, by name (on the top-level parser)
    commands: Dict[str, argparse.ArgumentParser] = {}

    def error(self, message: str):
        if message.startswith("argument "):
            message = message[len("argument "):]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _Formatter(argparse.HelpFormatter):
    """Help text as argparse wraps it, but the table of exit codes as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(_EXIT_CODES_TITLE):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def build_parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    """The argument parser of the ``fastcount`` command, with every sub-command (``only``:
    with the options of that one only; the others' may import modules for their defaults)."""
    from fastcount import __version__

    parser = _Parser(prog="fastcount", description="Fast, exact word-frequency counting.",
                     epilog=_exit_codes_help(), formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"fastcount {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    parser.commands = {}
    for command in SUBCOMMANDS.values():
        p = sub.add_parser(command.name, help=command.help, description=command.description,
                           epilog=_exit_codes_help(), formatter_class=_Formatter)
        parser.commands[command.name] = p
        if only is not None and command.name != only:
            continue
        command.arguments(p.add_argument_group(f"{command.name} options"))
        for name in command.shared:
            title, add = SHARED_GROUPS[name]
            add(p.add_argument_group(title))
    return parser


def _exit_codes_help() -> str:
    return _EXIT_CODES_TITLE + "\n" + "\n".join(f"  {code:>3}  {what}" for code, what in EXIT_CODES.items())


_EXIT_CODES_TITLE = "exit codes:"


def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """Parse, with an unknown option reported under its sub-command's usage."""
    argv = sys.argv[1:] if argv is None else list(argv)
    named = next((a for a in argv if not a.startswith("-")), None)  # top-level options take no values
    parser = build_parser(named if named in SUBCOMMANDS else None)
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


# ------------------------------------------------------------ the job


class Job:
    """What a sub-command's ``run`` works with: its inputs, options and output.

    Made by :func:`main` from the parsed arguments of the shared option
    groups the sub-command takes; the output file (``-o``) is created before
    ``run`` is called, so an unwritable destination fails before any work.
    """

    def __init__(self, args: argparse.Namespace, stack: ExitStack):
        self.args = args
        #: True when no path was given and the shipped sample is read
        self.sample = False
        self.paths: List[str] = list(getattr(args, "paths", []))
        if "paths" in args and not self.paths:
            from importlib.resources import as_file, files

            self.paths = [str(stack.enter_context(as_file(files("fastcount") / "data" / SAMPLE)))]
            self.sample = True
        tokenizer = getattr(args, "tokenizer", None)
        if tokenizer is not None and tokenizer not in NAMES:
            try:
                re.compile(tokenizer)
            except re.error as err:
                raise _UsageError(f"--tokenizer {tokenizer!r} is not a valid regex: {err}") from None
        self._files: Optional[List[str]] = None
        #: input files left out by --skip-bad-files
        self.skipped: List[str] = []
        self.output: Optional[writers.AtomicOutput] = None
        if "format" in args:
            try:
                args.format = writers.format_for(getattr(args, "output", None), args.format)
            except ValueError as err:
                raise _UsageError(str(err).replace("format ", "--format ", 1)) from None
        if getattr(args, "output", None) is not None:
            binary = writers.FORMATS[args.format].binary if "format" in args else False
            try:
                self.output = writers.AtomicOutput(args.output, binary=binary)
            except OSError as err:
                raise _WriteError(args.output, err) from None
            stack.callback(self.output.discard)  # removed unless committed

    @property
    def progress(self) -> bool:
        """Whether to draw a progress bar (stderr is a terminal, no --quiet)."""
        return not getattr(self.args, "quiet", False) and sys.stderr.isatty()

    def tokenizer_options(self) -> dict:
        """The tokenizer group's options, as ``count_words`` takes them."""
        a = self.args
        return dict(hmm=a.hmm, cut_all=a.cut_all, user_dict=a.user_dict, keep_whitespace=a.keep_whitespace)

    def word_filter(self):
        """The filters group's :class:`fastcount.filters.WordFilter`, or None
        when no filter is asked for; stopword files are read here."""
        a = self.args
        if not (a.stopwords or a.no_punct or any(
                value is not None for value in (a.keep_regex, a.drop_regex, a.min_len, a.max_len))):
            return None  # without importing the filters (and numpy)
        from fastcount.filters import WordFilter, load_stopwords

        stopwords = [w for path in a.stopwords for w in load_stopwords(path)]
        try:
            wf = WordFilter(stopwords, drop_punct=a.no_punct, min_len=a.min_len, max_len=a.max_len,
                            include=a.keep_regex, exclude=a.drop_regex)
        except ValueError as err:
            raise _UsageError(str(err).replace("include ", "--keep-regex ").replace("exclude ", "--drop-regex ")
                              .replace("min_len", "--min-len").replace("max_len", "--max-len")) from None
        return wf if wf else None

    def input_options(self) -> dict:
        """The input group's decoding options, as ``count_words`` takes them."""
        a = self.args
        return dict(encoding=a.encoding, errors=a.errors, field=a.field)

    def files(self) -> List[str]:
        """The input files: PATHs with directories walked, globs expanded and
        --include/--exclude applied (found once, on first use; what a walk
        leaves out is reported on stderr); URLs (``s3://...``) as given.
        With --skip-bad-files, files that cannot be opened, or whose start
        does not decompress or decode, are left out here."""
        if self._files is None:
            a = self.args
            skip = getattr(a, "skip_bad_files", False)
            files: List[str] = []
            for spec in self.paths:
                if "://" in spec:
                    files.append(spec)
                    continue
                found = fio.resolve_paths(
                    [spec], a.include, a.exclude, on_skip=_report_skipped,
                    on_error=self._skip if skip else None,
                )
                for source in found:
                    # named as count_words will name it (it gets a Path)
                    path = source.path if source.path == fio.STDIN else str(pathlib.Path(source.path))
                    problem = _sniff(path, a.encoding, a.errors, a.field) if skip else None
                    if problem is None:
                        files.append(path)
                    else:
                        self._skip(path, problem)
            self._files = files
        return self._files

    def source(self):
        """The input files as ``count_words`` takes them: ``"-"``, or a list of paths."""
        files = self.files()
        if files and all(p == fio.STDIN for p in files):
            return fio.STDIN
        # Path objects mark the list as paths, never to be taken for texts.
        return [p if p == fio.STDIN else pathlib.Path(p) for p in files]

    def count(self, func: Callable, *args, source: Optional[Callable[[], Any]] = None, **kwargs):
        """``func(source, *args, **input options, **kwargs)``: run a counting
        function over the inputs (``source()``, default :meth:`source`).

        With --skip-bad-files, a file that turns out bad while counting is
        left out and the count run again without it (counts cannot be taken
        back out of a total).
        """
        while True:
            try:
                return func((source or self.source)(), *args, **self.input_options(), **kwargs)
            except (fio.InputError, OSError) as err:
                path = self._bad_file(err)
                if path is None:
                    raise
                self._skip(path, err)
                self._files = [p for p in self._files if p != path]

    def _bad_file(self, err: Exception) -> Optional[str]:
        """The input file ``err`` says is bad, if --skip-bad-files may leave it out."""
        if not getattr(self.args, "skip_bad_files", False) or isinstance(err, _WriteError):
            return None
        name = err.path if isinstance(err, fio.InputError) else err.filename
        files = {p: p for p in self.files()}
        files.update((os.path.abspath(p), p) for p in self.files() if "://" not in p)  # Dask's names
        path = files.get(name) if isinstance(name, str) else None
        if path is None or path == fio.STDIN:
            return None
        once = [p for p in self.files() if p != path and _read_once(p)]
        if once:
            raise _UsageError(
                f"{_failure(err)[1]}; --skip-bad-files cannot leave {path} out and count again: "
                f"{once[0]} cannot be read a second time"
            )
        return path

    def _skip(self, path: str, problem) -> None:
        """Leave the input file ``path`` out, naming it and the problem on stderr."""
        message = _failure(problem)[1] if isinstance(problem, OSError) else str(problem)
        self.skipped.append(path)
        named = message.startswith(f"{path}:") or message.startswith(f"{os.path.abspath(path)}:")
        where = message if named else f"{path}: {message}"
        print(f"fastcount: skipped {where}", file=sys.stderr)

    def write_counts(self, counts) -> None:
        """Write ``counts`` (word -> count), sorted, in the ``--format`` asked for."""
        self.write_table(writers.Table(writers.sorted_items(counts)))

    def write_table(self, table: "writers.Table") -> None:
        """Write ``table`` in the ``--format`` asked for; name on stderr the
        words the format cannot hold (left out)."""
        fmt = self.args.format
        missing = [need for need in writers.FORMATS[fmt].needs if getattr(table, need) is None]
        if missing:
            raise _UsageError(f"--format {fmt} needs {writers._NEEDS[missing[0]].split(' (')[0]}, "
                              f"which {self.args.command} does not give")
        skipped: List[str] = []
        self.write(lambda out: skipped.extend(writers.write_table(table, out, fmt)),
                   binary=writers.FORMATS[fmt].binary)
        if skipped:
            shown = ", ".join(map(repr, skipped[:5])) + (", ..." if len(skipped) > 5 else "")
            print(f"fastcount: left out {len(skipped):,} word{'s' if len(skipped) > 1 else ''} the {fmt} "
                  f"format cannot hold: {shown}", file=sys.stderr)

    def write(self, write: Callable[[IO], None], binary: bool = False) -> None:
        """Call ``write(out)`` with the output (the ``-o`` file, else stdout) and complete it."""
        if self.output is not None:
            try:
                write(self.output.file)
                self.output.commit()
            except OSError as err:
                raise _WriteError(self.output.path, err) from None
            return
        out = sys.stdout.buffer if binary else sys.stdout
        try:
            write(out)
            out.flush()
        except BrokenPipeError:
            raise
        except OSError as err:
            raise _WriteError("<stdout>", err) from None


def _report_skipped(path: str, reason: str) -> None:
    print(f"fastcount: skipped {path}: {reason}", file=sys.stderr)


#: Bytes at the start of a file that --skip-bad-files reads before counting.
_SNIFF_SIZE = 1 << 16


def _sniff(path: str, encoding: str, errors: str, field: Optional[str]) -> Optional[Exception]:
    """What is wrong with the start of the regular file ``path`` (the error
    counting it would raise there), or None: so that --skip-bad-files finds
    binary files and files in another encoding without a second count."""
    if path == fio.STDIN or _read_once(path) or not fio.splittable(encoding):
        return None
    try:
        with fio.open_binary(path) as f:
            data = f.read(_SNIFF_SIZE)
            if len(data) == _SNIFF_SIZE:
                data = data[: data.rfind(b"\n") + 1]  # whole lines only
            else:
                f.read(1)  # raises what stopped the data short, if anything did
        for piece, _, _ in fio.read_pieces(io.BytesIO(data), path, encoding, errors, field, _SNIFF_SIZE):
            piece.texts()
    except (fio.InputError, OSError) as err:
        return err
    return None


def _read_once(path: str) -> bool:
    """Whether ``path`` is stdin, a FIFO or a device: what can be read only once."""
    if path == fio.STDIN:
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode) and "://" not in path
    except OSError:
        return False


class _UsageError(Exception):
    """Bad usage found by the command itself: its message is the error line."""


class _WriteError(Exception):
    """Writing the output failed; the message names it."""

    def __init__(self, name: str, err: OSError):
        super().__init__(f"cannot write {name}: {err.strerror or err}")
        self.errno = err.errno


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every cleanup runs."""


# ------------------------------------------------------------ main


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``fastcount`` command with ``argv`` (default: ``sys.argv[1:]``); return its exit code."""
    args = _parse(argv)
    command = SUBCOMMANDS[args.command]
    with _sigterm_raises():
        try:
            with ExitStack() as stack:
                job = Job(args, stack)
                summary = command.run(args, job)
        except KeyboardInterrupt:
            print("fastcount: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except _Terminated:
            print("fastcount: terminated", file=sys.stderr)
            return EXIT_TERMINATED
        except BrokenPipeError:
            # The reader of stdout left (| head). Python must not complain
            # when it flushes stdout at exit: point it at /dev/null.
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        except Exception as err:
            code, message = _failure(err)
            if code == EXIT_FAILED:
                raise
            print(f"fastcount: error: {message}", file=sys.stderr)
            return code
    skipped = len(job.skipped)
    if skipped:
        summary = f"{summary}; {skipped} input file{'s' if skipped > 1 else ''} skipped (named above)"
    if not getattr(args, "quiet", False) and summary:
        print(f"fastcount: {summary}", file=sys.stderr)
    return EXIT_SKIPPED if skipped else EXIT_OK


def _silence_stdout() -> None:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file: nothing will be flushed to a closed pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _failure(err: Exception) -> Tuple[int, str]:
    """The exit code and message for an error that stopped a sub-command."""
    from fastcount.pipeline import RemoteTraceback

    if isinstance(err, _UsageError):
        return EXIT_USAGE, str(err)
    if isinstance(err, _WriteError):
        return (EXIT_ENVIRONMENT if err.errno in _ENVIRONMENT_ERRNOS else EXIT_USAGE), str(err)
    if isinstance(err, MemoryError):
        return EXIT_ENVIRONMENT, "out of memory"
    if isinstance(err, OSError):
        code = EXIT_ENVIRONMENT if err.errno in _ENVIRONMENT_ERRNOS else EXIT_USAGE
        if err.filename is not None and str(err.filename) not in (err.strerror or ""):
            return code, f"cannot read {err.filename}: {err.strerror or err}"
        return code, err.strerror or str(err)  # a message that names its file (n-gram runs)
    if isinstance(err, fio.InputDecodeError):
        return EXIT_USAGE, f"{err}; {_DECODE_HINT}"
    if isinstance(err, (fio.InputError, LookupError)):
        return EXIT_USAGE, str(err)
    if isinstance(err, ValueError) and not (
        isinstance(err.__cause__, RemoteTraceback) or getattr(err, "__notes__", None)
    ):
        return EXIT_USAGE, str(err)  # not raised while counting: an option count_words refused
    return EXIT_FAILED, ""


_DECODE_HINT = (
    "name the file's encoding with --encoding (e.g. --encoding gbk), or go on past bad bytes "
    "with --errors replace"
)


class _sigterm_raises:
    """While active (in the main thread), SIGTERM raises :class:`_Terminated`.

    Worker processes forked meanwhile inherit the handler; in them it
    does what SIGTERM does by default.
    """

    def __enter__(self):
        import threading

        self.previous = None
        if threading.current_thread() is threading.main_thread():
            pid = os.getpid()

            def handler(signum, frame):
                if os.getpid() != pid:
                    signal.signal(signum, signal.SIG_DFL)
                    os.kill(os.getpid(), signum)
                    return
                raise _Terminated()

            self.previous = signal.signal(signal.SIGTERM, handler)
        return self

    def __exit__(self, *exc_info):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


# The sub-commands register themselves on import, in the order
# ``fastcount --help`` lists them.
for _module in ("cli_count", "cli_cut", "cli_ngrams"):
    importlib.import_module(f"fastcount.{_module}")
