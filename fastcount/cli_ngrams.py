"""The ``fastcount ngrams`` and ``fastcount discover`` sub-commands (registered in :mod:`fastcount.cli`).

``fastcount ngrams PATH... -n 1-4`` counts character n-grams (``--unit
word``: word n-grams of ``--tokenizer``) within ``--memory`` (spilling to
``--tmpdir``) and writes ``ngram<TAB>count`` lines in code point order as
the runs are merged, never holding the result; ``--top K``: the K most
common, most common first. ``fastcount discover PATH... -o words.txt``
writes the new words found by :func:`fastcount.discover_words` as a
jieba user dictionary (``word count``, most probable first) and, with
``--stats FILE``, every candidate's statistics as TSV.
"""

from __future__ import annotations

import argparse
import io

from fastcount import writers
from fastcount.cli import SAMPLE_TOP, Job, _UsageError, subcommand

__all__: list = []  # sub-commands only: nothing to import from here


def _budget_options(group) -> None:
    group.add_argument("--memory", metavar="SIZE", default=None,
                       help="memory for the counts, all workers together (e.g. 2GB, 512MiB; "
                       "default: a quarter of the machine's); beyond it sorted runs go to --tmpdir")
    group.add_argument("--tmpdir", metavar="DIR", default=None,
                       help="where runs go when the counts outgrow --memory (default: the "
                       "system's temporary directory); removed when done")
    group.add_argument("--keep-punct", action="store_true",
                       help="punctuation is an ordinary character (by default it ends n-grams "
                       "and is not counted, as whitespace)")


def _ngrams_arguments(group) -> None:
    group.add_argument("-n", dest="orders", default="1-4", metavar="N|LO-HI",
                       help="the order, or a range of orders counted in one pass (default: 1-4)")
    group.add_argument("--unit", choices=("char", "word"), default="char",
                       help="n-grams of characters (default) or of the tokenizer's words")
    _budget_options(group)
    group.add_argument("--min-count", type=_min_count, default=1, metavar="N",
                       help="drop n-grams seen fewer than N times (after merging)")
    group.add_argument("--top", type=_top, default=None, metavar="K",
                       help="the K most common n-grams, most common first (ties by n-gram); "
                       "default: every n-gram, in code point order")


def _min_count(value: str):
    from fastcount.cli import _positive

    return _positive(value)


def _top(value: str):
    from fastcount.cli import _non_negative

    return _non_negative(value)


def _binary(out):
    """The byte stream under a text stream (the -o file is opened as text)."""
    return out.buffer if isinstance(out, io.TextIOBase) else out


@subcommand(
    "ngrams",
    help="count the n-grams of text files, exactly, in bounded memory",
    description="Count the character (or word) n-grams of text files (one text per line; "
    "n-grams never span lines, whitespace or punctuation) and print ngram<TAB>count lines "
    "in code point order, merged from sorted runs when the counts outgrow --memory. With no "
    f"PATH, count the sample text shipped with fastcount and print its top {SAMPLE_TOP}.",
    arguments=_ngrams_arguments,
    shared=("input", "tokenizer", "workers", "output"),
)
def _ngrams(args: argparse.Namespace, job: Job) -> str:
    from fastcount.ngrams import (NgramSpec, NgramStats, _word_tokenizer, counted, parse_orders,
                                  write_merged)

    try:
        lo, hi = parse_orders(args.orders)
    except ValueError as err:
        raise _UsageError(f"-n: {err}") from None
    if args.keep_whitespace:
        raise _UsageError("--keep-whitespace: n-grams never span whitespace")
    top = SAMPLE_TOP if job.sample and args.top is None else args.top
    if args.unit == "char":
        if args.tokenizer != "jieba" or not args.hmm or args.cut_all or args.user_dict:
            raise _UsageError("--tokenizer, --no-hmm, --cut-all and --user-dict go with --unit word")
        spec = NgramSpec(f"char {lo}-{hi}", lo, hi, "char", None, args.keep_punct)
    else:
        name, tokenize = _word_tokenizer(args.tokenizer, args.hmm, args.cut_all, args.user_dict)
        spec = NgramSpec(f"word {lo}-{hi}, {name}", lo, hi, "word", tokenize, args.keep_punct)
    stats = NgramStats()
    written = []
    with counted(job.source(), spec, stats, workers=args.workers, memory=args.memory,
                 tmpdir=args.tmpdir, progress=job.progress, **job.input_options()) as (parts, where):
        job.write(lambda out: written.append(
            write_merged(parts, where, _binary(out), args.min_count, top)), binary=True)
    lines, stats.words = written[0]
    return f"{stats.summary()}; {lines:,} lines written"


def _discover_arguments(group) -> None:
    from fastcount import discover as d

    group.add_argument("--stats", metavar="FILE",
                       help="also write every candidate's statistics here (TSV with a header)")
    group.add_argument("--max-len", type=int, default=d.DEFAULT_MAX_LEN, metavar="N",
                       help=f"longest word, in characters (default: {d.DEFAULT_MAX_LEN})")
    group.add_argument("--min-count", type=_min_count, default=d.DEFAULT_MIN_COUNT, metavar="N",
                       help=f"fewest occurrences (default: {d.DEFAULT_MIN_COUNT})")
    group.add_argument("--min-cohesion", type=float, default=d.DEFAULT_MIN_COHESION, metavar="X",
                       help="least cohesion, nats: the log of how much more often than chance "
                       f"the parts occur together (default: {d.DEFAULT_MIN_COHESION})")
    group.add_argument("--min-freedom", type=float, default=d.DEFAULT_MIN_FREEDOM, metavar="X",
                       help="least entropy of the neighbouring characters on either side, nats "
                       f"(default: {d.DEFAULT_MIN_FREEDOM})")
    group.add_argument("--keep-known", dest="exclude_known", action="store_false",
                       help="keep words jieba's dictionary already holds (dropped by default)")
    group.add_argument("--user-dict", metavar="FILE",
                       help="words of this jieba user dictionary count as known too")
    _budget_options(group)


@subcommand(
    "discover",
    help="find new words (not in jieba's dictionary) in text files",
    description="Find new words in text files by the statistics of their character n-grams "
    "(frequency, cohesion, freedom; see fastcount.discover) and print them as a jieba user "
    "dictionary (word count lines), most probable first.",
    arguments=_discover_arguments,
    shared=("input", "workers", "output"),
)
def _discover(args: argparse.Namespace, job: Job) -> str:
    from fastcount.discover import discover_words

    if args.max_len < 2:
        raise _UsageError(f"--max-len: expected at least 2, got {args.max_len}")
    stats_file = None
    if args.stats is not None:
        try:
            stats_file = writers.AtomicOutput(args.stats)
        except OSError as err:
            from fastcount.cli import _WriteError

            raise _WriteError(args.stats, err) from None
    try:
        found = job.count(
            discover_words, max_len=args.max_len, min_count=args.min_count,
            min_cohesion=args.min_cohesion, min_freedom=args.min_freedom,
            exclude_known=args.exclude_known, user_dict=args.user_dict,
            keep_punct=args.keep_punct, workers=args.workers, memory=args.memory,
            tmpdir=args.tmpdir, progress=job.progress,
        )
        words = []
        job.write(lambda out: words.append(found.write_dict(out)))
        if stats_file is not None:
            found.write_stats(stats_file.file)
            stats_file.commit()
    finally:
        if stats_file is not None:
            stats_file.discard()
    return (f"{found.stats.summary()}; {len(found.candidates):,} candidates, "
            f"{words[0]:,} new words written")
