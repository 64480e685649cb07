"""The ``fastcount count`` sub-command: word counts of files, on this machine or on a Dask cluster.

``fastcount count PATH...`` counts the words of files (or stdin, ``-``) with
:func:`fastcount.count_words` and writes them sorted by count, most common
first, then by word. With no path it counts the sample text shipped in the
package and prints the top 20 words. A throughput line goes to stderr
(``--quiet`` drops it), and a progress bar when stderr is a terminal.
``--dask`` runs the same count on a local Dask cluster of ``-j N``
processes, ``--scheduler tcp://host:8786`` on an existing one (its workers
must see the files under the same paths); both need ``pip install
"fastcount[dask]"``.

Registered with :func:`fastcount.cli.subcommand` when :mod:`fastcount.cli`
is imported.
"""

from __future__ import annotations

import argparse
import os
from contextlib import ExitStack

from fastcount import io as fio
from fastcount import writers
from fastcount.cli import SAMPLE_TOP, Job, _UsageError, subcommand

__all__: list = []

#: How long --scheduler waits to connect before giving up.
CONNECT_TIMEOUT = "10s"


def _count_arguments(group) -> None:
    group.add_argument("--pos", metavar="TAGS", dest="pos_filter",
                       help="count only the words jieba.posseg tags so: tags separated by commas, "
                       "a trailing * for a prefix (n,v,a*)")
    group.add_argument("--with-pos", action="store_true",
                       help="count by word and jieba.posseg tag: word<TAB>tag<TAB>count")
    group.add_argument("--df", action="store_true",
                       help="count document frequencies too (each text a document: a line, or a "
                       "JSON record): a df column in tsv/csv/json; idf and gensim need them")
    group.add_argument("--documents", choices=("text", "file"), default="text",
                       help="with --df, idf or gensim: what a document is (default: each text)")
    group.add_argument("--smooth-idf", action="store_true",
                       help="idf: ln((1 + documents) / (1 + df)) + 1 instead of ln(documents / df)")
    engine = group.add_mutually_exclusive_group()
    engine.add_argument("--dask", action="store_true",
                        help="count with Dask on a local cluster of -j processes")
    engine.add_argument("--scheduler", metavar="ADDRESS",
                        help="count on the Dask cluster of this scheduler (tcp://host:8786); "
                        "its workers must see the files under the same paths")


@subcommand(
    "count",
    help="count the words of text files",
    description="Count the words of text files (one text per line; .gz/.bz2/.xz read as they "
    "are; '-' is stdin) and print them, most common first. With no PATH, count the sample "
    f"text shipped with fastcount and print its top {SAMPLE_TOP}.",
    arguments=_count_arguments,
    shared=("input", "tokenizer", "workers", "output", "counts", "filters"),
)
def _count(args: argparse.Namespace, job: Job) -> str:
    from fastcount.pipeline import CountStats, count_words

    top = SAMPLE_TOP if job.sample and args.top is None else args.top
    options = dict(job.tokenizer_options(), min_count=args.min_count, top=top, progress=job.progress)
    word_filter = job.word_filter()
    spec = writers.FORMATS[args.format]
    dfs = args.df or "dfs" in spec.needs
    if args.smooth_idf and args.format != "idf":
        raise _UsageError(f"--smooth-idf applies to --format idf, not {args.format}")
    if args.documents != "text" and not dfs:
        raise _UsageError("--documents applies with --df, or with a format that needs document "
                          "frequencies (idf, gensim)")
    if dfs and (args.with_pos or args.pos_filter is not None):
        raise _UsageError("document frequencies are counted by word, not with --pos or --with-pos")
    if args.dask or args.scheduler is not None:
        if args.with_pos or args.pos_filter is not None:
            raise _UsageError("--pos and --with-pos count on this machine, not with --dask/--scheduler")
        if dfs or spec.needs:
            raise _UsageError(f"{'--df' if args.df else '--format ' + args.format} needs document "
                              f"frequencies or the number of texts, which {'--dask' if args.dask else '--scheduler'} "
                              "does not count; count without it")
        counts, summary = _count_on_dask(args, job, options, word_filter)
        job.write_counts(counts)
        return summary
    stats = CountStats()
    if dfs:
        from fastcount.documents import count_documents

        result = job.count(count_documents, args.tokenizer, workers=args.workers, stats=stats,
                           word_filter=word_filter, document=args.documents, **options)
    else:
        if args.with_pos or args.pos_filter is not None:
            options.update(pos=args.with_pos, pos_filter=args.pos_filter)
        result = job.count(count_words, args.tokenizer, workers=args.workers, stats=stats,
                           word_filter=word_filter, **options)
    tags = None
    if args.format == "jieba" and not args.with_pos:
        from fastcount.posseg import pos_tokenizer_for
        from fastcount.segmenter import tokenizer_for

        # the tag column: the words' tags in jieba's dictionary and the user dictionary
        tags = pos_tokenizer_for(tokenizer_for(None, args.user_dict)).tagger().get_tag
    job.write_table(writers.table_of(result, texts=stats.texts, smooth_idf=args.smooth_idf, tags=tags))
    return stats.summary()


def _count_on_dask(args: argparse.Namespace, job: Job, options: dict, word_filter=None):
    """Count with :func:`fastcount.dask.count_words_dask` on the cluster the
    options name, filtered by ``word_filter`` before ``min_count``/``top``;
    return the counts and a line for stderr.

    An unreachable or malformed scheduler address raises ConnectionError
    naming it (an OSError: main reports it in one line).
    """
    flag = "--dask" if args.dask else "--scheduler"
    if fio.STDIN in job.paths:
        raise _UsageError(f"{flag} cannot read standard input ('-'): the cluster reads the files")
    if args.scheduler is not None and args.workers is not None:
        raise _UsageError("-j sizes a local run or --dask; a --scheduler cluster has its own workers")
    from fastcount.dask import require

    try:
        dask = require(cluster=True)
    except ImportError as err:
        raise _UsageError(f"{flag}: {err}") from None
    from distributed import Client, LocalCluster

    import logging
    import time

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
        if options["user_dict"] is not None:
            options = dict(options, user_dict=os.path.abspath(options["user_dict"]))
        if word_filter is not None:  # applied to the whole count, then cut
            cut, options = options, dict(options, min_count=1, top=None)
        counts = job.count(count_words_dask, args.tokenizer, client=client, source=lambda: [
            # Absolute paths: a remote worker's working directory is not ours.
            # URLs (s3://...) go to fsspec as they are.
            p if "://" in p else os.path.abspath(p) for p in job.files()
        ], **options)
        workers = len(client.nthreads())
    if word_filter is not None:
        from fastcount.merge import finalize_counts

        counts = finalize_counts(word_filter.filter_counts(counts), cut["min_count"], cut["top"])
    seconds = time.perf_counter() - start
    return counts, (
        f"counted with Dask in {seconds:.2f} s ({where}, {workers} worker"
        f"{'s' if workers != 1 else ''}, {args.tokenizer}): {len(counts):,} words written"
    )
