"""New-word discovery: statistics equal to the Python reference, bit for bit;
thresholds, known words and the discover command."""

import io
import math
import os

import pytest

from fastcount import cli, discover_words
from fastcount.discover import Candidate

from ngram_reference import discovery

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")


@pytest.fixture(scope="module")
def texts():
    with open(SAMPLE, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def stats_of(found):
    return {c.word: (c.count, c.cohesion, c.left_entropy, c.right_entropy) for c in found.candidates}


def test_matrix67s_example():
    # "吃葡萄不吐葡萄皮不吃葡萄倒吐葡萄皮": 葡萄's left neighbours 吃 吐 吃 吐,
    # its right ones 不 皮 倒 皮 (Matrix67, 2012): entropies ln 2 and 1.04
    found = discover_words(["吃葡萄不吐葡萄皮不吃葡萄倒吐葡萄皮"], max_len=2, min_count=1,
                           exclude_known=False, workers=1)
    grape = next(c for c in found.candidates if c.word == "葡萄")
    assert grape.count == 4 and grape.known is None
    assert grape.left_entropy == pytest.approx(math.log(2))
    assert grape.right_entropy == pytest.approx(-0.5 * math.log(0.5) - 0.5 * math.log(0.25))
    assert grape.freedom == grape.left_entropy
    # N = 17 characters; 葡 and 萄 4 times each: cohesion ln(17 * 4 / 16)
    assert grape.cohesion == pytest.approx(math.log(17 * 4 / 16))
    assert found.chars == 17


@pytest.mark.parametrize("max_len,min_count", [(2, 1), (4, 3), (5, 8)])
def test_statistics_equal_the_reference(texts, max_len, min_count):
    found = discover_words(texts, max_len=max_len, min_count=min_count, exclude_known=False)
    assert stats_of(found) == discovery(texts, max_len, min_count)  # floats exactly equal
    assert [c.word for c in found.candidates] == sorted(c.word for c in found.candidates)


def test_spilled_counts_give_the_same_statistics(texts, tmp_path):
    found = discover_words(texts, max_len=3, min_count=2, exclude_known=False, memory=48 * 1024,
                           tmpdir=tmp_path, workers=2, chunk_size=16 * 1024)
    assert found.stats.runs >= 4
    assert stats_of(found) == discovery(texts, 3, 2)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_pass_two_takes_a_second_thread_only_with_workers(texts, workers, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from fastcount import _discover

    started = []

    class Pool(ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            started.append(self._thread_name_prefix)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(_discover, "ThreadPoolExecutor", Pool)
    found = discover_words(texts, max_len=4, min_count=2, exclude_known=False, workers=workers)
    assert started == ["fastcount-discover"] * (workers - 1)
    assert stats_of(found) == stats_of(discover_words(texts, max_len=4, min_count=2, exclude_known=False))


def test_new_words_pass_every_threshold_and_are_unknown(texts):
    found = discover_words(texts, min_count=3, min_cohesion=2.0, min_freedom=0.5)
    words = found.words
    assert words and words == sorted(words, key=lambda c: (-c.score, c.word))
    for c in found.candidates:
        passes = c.cohesion >= 2.0 and c.freedom >= 0.5
        assert c.new == (passes and not c.known)
        assert c.score == math.log(c.count) + c.cohesion + c.freedom
        assert c.freedom == min(c.left_entropy, c.right_entropy)
    known = {c.word for c in found.candidates if c.known}
    assert "酒店" in known and "酒店" not in {c.word for c in words}
    kept = discover_words(texts, min_count=3, min_cohesion=2.0, min_freedom=0.5, exclude_known=False)
    assert {c.word for c in words} < {c.word for c in kept.words}


def test_user_dictionary_words_are_known(texts, tmp_path):
    found = discover_words(texts, min_count=3)
    first = found.words[0].word
    user = tmp_path / "user.txt"
    user.write_text(f"{first} 10\n", encoding="utf-8")
    again = discover_words(texts, min_count=3, user_dict=user)
    assert first not in {c.word for c in again.words}


def test_outputs(texts):
    found = discover_words(texts, min_count=3)
    out = io.StringIO()
    assert found.write_dict(out) == len(found.words)
    assert out.getvalue() == "".join(f"{c.word} {c.count}\n" for c in found.words)
    out = io.StringIO()
    assert found.write_stats(out) == len(found.candidates)
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t") == ["word", *Candidate._fields[1:]]
    first = found.candidates[0]
    row = lines[1].split("\t")
    assert row[0] == first.word and float(row[2]) == first.cohesion  # repr: exact


def test_bad_options(texts):
    with pytest.raises(ValueError, match="max_len must be an int >= 2"):
        discover_words(texts, max_len=1)
    with pytest.raises(TypeError, match="min_cohesion must be a number"):
        discover_words(texts, min_cohesion="high")


def test_the_discover_command(capsys, tmp_path, texts):
    words, stats = tmp_path / "words.txt", tmp_path / "stats.tsv"
    code = cli.main(["discover", SAMPLE, "--min-count", "3", "-o", str(words), "--stats", str(stats),
                     "--tmpdir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    found = discover_words(texts, min_count=3)
    assert words.read_text("utf-8") == "".join(f"{c.word} {c.count}\n" for c in found.words)
    assert len(stats.read_text("utf-8").splitlines()) == len(found.candidates) + 1
    assert f"{len(found.words):,} new words written" in err
    assert sorted(os.listdir(tmp_path)) == ["stats.tsv", "words.txt"]
    code = cli.main(["discover", SAMPLE, "--max-len", "1"])
    _, err = capsys.readouterr()
    assert code == cli.EXIT_USAGE and "--max-len: expected at least 2" in err


@pytest.mark.parametrize("memory", [None, 600_000])
def test_pass_two_in_halves_gives_the_same_floats(texts, tmp_path, memory):
    from fastcount._discover import candidates
    from fastcount._ngram_merge import Merge
    from fastcount.ngrams import NgramSpec, NgramStats, counted, merge_sources, source_indexes

    spec = NgramSpec("char 1-5", 1, 5, "char", None, False)
    with counted(texts, spec, NgramStats(), workers=2, memory=memory, tmpdir=tmp_path) as (parts, d):
        sources = merge_sources(parts, d)
        indexes = source_indexes(parts, sources)
        assert (memory is None) == (not any(indexes))
        whole, halves = (candidates(Merge(sources), sources, 4, 2, indexes=indexes, halves=h)
                         for h in (False, True))
        whole, halves = list(whole), list(halves)
    assert whole[0].words() == halves[0].words() and whole[-1] == halves[-1]
    for a, b in zip(whole[1:-1], halves[1:-1]):
        assert a.tobytes() == b.tobytes()
