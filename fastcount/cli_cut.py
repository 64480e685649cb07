"""The ``fastcount cut`` sub-command: a segmented corpus (:func:`fastcount.cutting.cut_corpus`).

Registered with :func:`fastcount.cli.subcommand` when :mod:`fastcount.cli`
is imported.
"""

from __future__ import annotations

import argparse

from fastcount.cli import Job, _UsageError, subcommand

__all__: list = []


def _cut_arguments(group) -> None:
    group.add_argument("-d", "--delimiter", default=" ", metavar="D",
                       help="between the tokens of a line (default: one space)")
    group.add_argument("-p", "--pos", metavar="D", nargs="?", const="_", default=None,
                       help="write each token as word, D and its jieba.posseg tag (D: '_' if not "
                       "given), as python -m jieba -p does")


@subcommand(
    "cut",
    help="write each line's jieba tokens joined by a delimiter (a segmented corpus)",
    description="Segment text files with jieba and write each line's tokens, joined by a "
    "delimiter (one space by default), one line per input line, in input order: the input of "
    "word2vec, fastText or GloVe. Whitespace tokens are dropped unless --keep-whitespace, with "
    "which the output equals `python -m jieba -d ' '` on a text file. With no PATH, cut the "
    "sample text shipped with fastcount.",
    arguments=_cut_arguments,
    shared=("input", "tokenizer", "workers", "output", "filters"),
)
def _cut(args: argparse.Namespace, job: Job) -> str:
    from fastcount.cutting import cut_corpus
    from fastcount.countstats import CountStats

    if args.tokenizer != "jieba":
        raise _UsageError(f"fastcount cut segments with jieba only, not --tokenizer {args.tokenizer}")
    for flag, value in (("--delimiter", args.delimiter), ("--pos", args.pos)):
        if value is not None and "\n" in value:
            raise _UsageError(f"{flag} cannot hold a line end")
    if args.pos is not None and args.cut_all:
        raise _UsageError("--pos tags jieba's default mode only, not --cut-all")
    stats = CountStats()
    word_filter = job.word_filter()
    # the -o file of a command without --format is a text stream: write its bytes
    job.write(lambda out: cut_corpus(
        job.source(), getattr(out, "buffer", out), delimiter=args.delimiter, pos=args.pos, workers=args.workers, word_filter=word_filter,
        progress=job.progress, stats=stats, **job.tokenizer_options(), **job.input_options(),
    ), binary=True)
    return (f"cut {stats.texts:,} texts, {stats.bytes / 1e6:,.1f} MB in {stats.seconds:.2f} s: "
            f"{stats.mb_per_s:.2f} MB/s ({stats.workers} worker{'s' if stats.workers != 1 else ''})")
