"""What counting feeds next (issue #13): document frequencies, filters, a segmented corpus.

Group "e2e-stats": count_words(jieba, workers=1) on the corpus, the same with
  document frequencies (count_documents: each line a document) and with
  filters (stopwords, punctuation, min_len=2): their cost over plain counting
  (each also timed back to back with plain counting: ``paired_peer``).
Group "cut": a segmented corpus of the corpus file: ``python -m jieba -d ' '``
  against ``fastcount cut --keep-whitespace`` (the same bytes) with one and two
  workers, each a command run on the file, start-up included (the one-worker
  command also timed back to back with jieba's: ``paired_peer``); and cut_corpus
  in the running process (no start-up) with one and two workers.
"""

import subprocess
import sys

import pytest

import benchlib

STOPWORDS = ["的", "了", "是", "我", "也", "在", "就", "都", "和", "很", "不", "有", "这", "还", "没有"]


#: The row the #13 cost targets compare with (each also timed back to back with it).
PLAIN = "count_words(jieba, workers=1)"


def plain_count(corpus):
    import fastcount

    return fastcount.count_words(corpus.lines, workers=1)


def test_stats_count_words(bench, corpus, jieba_reference):
    benchlib.quiet_jieba()
    result = bench("e2e-stats", PLAIN, lambda: plain_count(corpus), workers=1, **corpus.info())
    assert dict(result) == dict(jieba_reference[1])


def test_stats_document_frequencies(bench, corpus, jieba_lines, jieba_reference):
    from fastcount.documents import count_documents

    benchlib.quiet_jieba()
    result = bench("e2e-stats", "count_words(jieba, df, workers=1)",
                   lambda: count_documents(corpus.lines, workers=1), workers=1, **corpus.info())
    bench.paired_against(PLAIN, lambda: plain_count(corpus), lambda: count_documents(corpus.lines, workers=1))
    assert dict(result.counts) == dict(jieba_reference[1])
    dfs = {}
    for tokens in jieba_lines:
        for w in set(tokens):
            if not w.isspace():
                dfs[w] = dfs.get(w, 0) + 1
    assert dict(result.dfs) == dfs and result.docs == len(corpus.lines)


def test_stats_filters(bench, corpus, jieba_reference):
    import fastcount
    from fastcount.filters import WordFilter

    benchlib.quiet_jieba()
    word_filter = WordFilter(STOPWORDS, drop_punct=True, min_len=2)
    result = bench("e2e-stats", "count_words(jieba, filters, workers=1)",
                   lambda: fastcount.count_words(corpus.lines, workers=1, word_filter=word_filter),
                   workers=1, **corpus.info())
    bench.paired_against(PLAIN, lambda: plain_count(corpus),
                         lambda: fastcount.count_words(corpus.lines, workers=1, word_filter=word_filter))
    assert dict(result) == {w: c for w, c in jieba_reference[1].items() if word_filter.keep(w)}


@pytest.fixture(scope="module")
def corpus_file(corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("cut") / "corpus.txt"
    path.write_text(corpus.text + "\n", encoding="utf-8")
    return path


def jieba_cut(corpus_file) -> bytes:
    """``python -m jieba -d ' '`` of the file: the segmented corpus it prints."""
    return subprocess.run([sys.executable, "-m", "jieba", "-q", "-d", " ", str(corpus_file)],
                          capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def jieba_cut_output(corpus_file):
    return jieba_cut(corpus_file)


#: The row the #13 cut target compares with (the one-worker command is also timed back to back with it).
JIEBA_CUT = "python -m jieba -d ' '"


def test_cut_python_m_jieba(bench, corpus, corpus_file, jieba_cut_output):
    out = bench("cut", JIEBA_CUT, lambda: jieba_cut(corpus_file), slow=True, workers=1, **corpus.info())
    assert out == jieba_cut_output


@pytest.mark.parametrize("workers", [1, 2])
def test_cut_fastcount(bench, corpus, corpus_file, jieba_cut_output, tmp_path, workers):
    out = tmp_path / "seg.txt"
    command = [sys.executable, "-m", "fastcount", "cut", str(corpus_file), "--keep-whitespace", "-q",
               "-j", str(workers), "-o", str(out)]
    env = benchlib.child_env()
    def run():
        subprocess.run(command, check=True, cwd=tmp_path, env=env)

    bench("cut", f"fastcount cut (workers={workers})", run, workers=workers, **corpus.info())
    assert out.read_bytes() == jieba_cut_output
    if workers == 1:  # the #13 cut target's pair
        bench.paired_against(JIEBA_CUT, lambda: jieba_cut(corpus_file), run)
        assert out.read_bytes() == jieba_cut_output


REPEAT = 8  # as the e2e-file group: the corpus this many times in one file


@pytest.mark.parametrize("workers", [1, 2])
def test_cut_file_fastcount(bench, corpus, corpus_file, jieba_cut_output, tmp_path, workers):
    # The command on the corpus 8 times: its start-up (Python, numpy, the
    # dictionary), which no worker shares, no longer hides what a second worker gives.
    repeated = tmp_path / "corpus-x8.txt"
    repeated.write_bytes(corpus_file.read_bytes() * REPEAT)
    out = tmp_path / "seg.txt"
    info = dict(corpus.info(), corpus=f"{corpus.name} x{REPEAT}", corpus_bytes=corpus.nbytes * REPEAT,
                corpus_lines=len(corpus.lines) * REPEAT)
    env = benchlib.child_env()

    def run_with(w):
        command = [sys.executable, "-m", "fastcount", "cut", str(repeated), "--keep-whitespace", "-q",
                   "-j", str(w), "-o", str(out)]
        subprocess.run(command, check=True, cwd=tmp_path, env=env)

    bench("cut-file", f"fastcount cut (workers={workers})", lambda: run_with(workers), workers=workers, **info)
    assert out.read_bytes() == jieba_cut_output * REPEAT
    if workers == 2:
        bench.paired_workers(run_with)
        assert out.read_bytes() == jieba_cut_output * REPEAT


@pytest.mark.parametrize("workers", [1, 2])
def test_cut_corpus_in_process(bench, corpus, corpus_file, jieba_cut_output, tmp_path, workers):
    # The rows above include the command's start-up (Python, numpy, the
    # dictionary), which no worker shares: these show what a second worker gives.
    from fastcount.cutting import cut_corpus

    out = tmp_path / "seg.txt"
    bench("cut", f"cut_corpus (workers={workers})",
          lambda: cut_corpus(corpus_file, out, keep_whitespace=True, workers=workers),
          workers=workers, **corpus.info())
    assert out.read_bytes() == jieba_cut_output
