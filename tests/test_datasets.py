"""Tests of fastcount.datasets, the deterministic Chinese-like text generator."""

import collections
import os

import pytest

from fastcount import datasets

END_MARKS = {"。", "！", "？"}
INNER_MARKS = {"，", "、", "；", "：", "…"}


def jieba_top(n):
    return set(datasets._jieba_words()[0][:n])


def test_same_seed_same_text_and_other_seed_other_text():
    a = list(datasets.generate(20_000, seed=7))
    assert a == list(datasets.generate(20_000, seed=7))
    assert a != list(datasets.generate(20_000, seed=8))


def test_smaller_output_is_a_prefix_of_larger_one():
    small = b"".join(datasets.generate_bytes(30_000, seed=3, extra_words=100))
    large = b"".join(datasets.generate_bytes(3_000_000, seed=3, extra_words=100))
    assert len(large) > len(small) > 0
    assert large.startswith(small)


@pytest.mark.parametrize("size", [1, 999, 50_000, "1MB"])
def test_size_is_reached_by_whole_lines(tmp_path, size):
    path = tmp_path / "out.txt"
    written = datasets.write(path, size, seed=1)
    data = path.read_bytes()
    assert written == len(data)
    want = datasets.parse_size(size)
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""  # ends with a newline
    last_line = len(lines[-2].encode("utf-8")) + 1
    # Stops after the first line that reaches the size: not earlier, not later.
    assert want <= len(data) < want + last_line
    assert [ln for ln in lines[:-1]] == list(datasets.generate(size, seed=1))
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]  # no temporary left over


def test_zero_size_yields_nothing(tmp_path):
    assert list(datasets.generate(0)) == []
    assert datasets.write(tmp_path / "empty.txt", 0) == 0
    assert (tmp_path / "empty.txt").read_bytes() == b""


def test_lines_look_like_text():
    lines = list(datasets.generate(200_000, seed=2))
    assert all(line and line[-1] in END_MARKS for line in lines)
    lengths = [len(line) for line in lines]
    mean = sum(lengths) / len(lengths)
    assert 30 < mean < 120  # characters; about 25 words of ~2 characters
    assert min(lengths) < mean / 3 and max(lengths) > 2 * mean  # varied, not uniform
    assert any(mark in line for line in lines for mark in INNER_MARKS)


def test_words_follow_jieba_frequencies():
    tokens = [t for line in datasets.generate(3_000_000, seed=4, sep=" ") for t in line.split(" ")]
    words = collections.Counter(t for t in tokens if t not in END_MARKS | INNER_MARKS)
    dictionary, freqs = datasets._jieba_words()
    assert set(words) <= set(dictionary)
    drawn = words.total()
    # The 20 most frequent words (each about 0.5% to 1.5% of ~400k draws, so a
    # few percent of sampling noise) are drawn in proportion to their frequency.
    for word, freq in zip(dictionary[:20], freqs[:20]):
        expected = drawn * freq / freqs.sum()
        assert abs(words[word] / expected - 1) < 0.15, word


def test_vocabulary_reach_with_extra_words():
    base, extra = 300, 4_000
    counts = collections.Counter(
        t for line in datasets.generate(600_000, seed=5, base_words=base, extra_words=extra,
                                        rare_fraction=0.5, sep=" ")
        for t in line.split(" ")
    )
    marks = END_MARKS | INNER_MARKS
    base_seen = {w for w in counts if w in jieba_top(base)}
    extra_seen = set(counts) - base_seen - marks
    assert len(base_seen) == base  # all of the small base vocabulary is drawn
    assert 0.95 * extra <= len(extra_seen) <= extra  # nearly every extra word is reached
    dictionary = jieba_top(len(datasets._jieba_words()[0]))
    assert not extra_seen & dictionary
    assert all(2 <= len(w) <= 4 for w in extra_seen)
    share = sum(counts[w] for w in extra_seen) / sum(counts[w] for w in counts if w not in marks)
    assert 0.45 < share < 0.55


def test_extra_words_are_distinct_cjk_and_not_dictionary_words():
    arena, lengths = datasets._extra_word_bytes(60_000, seed=0, suffix=b"")
    words = arena.tobytes().decode("utf-8")
    split, pos = [], 0
    for n in lengths // 3:
        split.append(words[pos:pos + n])
        pos += n
    assert pos == len(words)
    assert len(set(split)) == len(split)
    assert all("\u4e00" <= ch <= "\u9fa5" for w in split for ch in w)
    assert not set(split) & set(datasets._jieba_words()[0])


def test_default_rare_fraction_follows_zipf_tail():
    counts = collections.Counter(
        t for line in datasets.generate(400_000, seed=6, extra_words=1_000_000, sep=" ")
        for t in line.split(" ")
    )
    dictionary = jieba_top(len(datasets._jieba_words()[0]))
    words = sum(n for w, n in counts.items() if w not in END_MARKS | INNER_MARKS)
    rare = sum(n for w, n in counts.items() if w not in dictionary and w not in END_MARKS | INNER_MARKS)
    assert 0.06 < rare / words < 0.12  # ln(1 + 1M/349k) / (ln(1.35M) + gamma) = 0.092


@pytest.mark.parametrize(
    "text, value",
    [(0, 0), (123, 123), ("1000", 1000), ("1KB", 1000), ("2k", 2000), ("1.5MB", 1_500_000),
     ("1GB", 10**9), ("64KiB", 65536), ("1 GiB", 2**30)],
)
def test_parse_size(text, value):
    assert datasets.parse_size(text) == value


@pytest.mark.parametrize("text", ["", "MB", "1XB", "-5", -5, "1e9", "12 34"])
def test_parse_size_rejects_bad_sizes(text):
    with pytest.raises(ValueError, match="size"):
        datasets.parse_size(text)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"extra_words": -1}, "extra_words"),
        ({"rare_fraction": 0.5}, "needs extra_words"),
        ({"extra_words": 10, "rare_fraction": 1.0}, "rare_fraction"),
        ({"extra_words": 10, "rare_fraction": -0.1}, "rare_fraction"),
        ({"base_words": 0}, "base_words"),
        ({"base_words": 10**9}, "base_words"),
        ({"sep": "\n"}, "sep"),
        ({"mean_words": 0}, "mean_words"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_options_raise_at_the_call_and_write_nothing(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        datasets.generate(1000, **options)
    with pytest.raises(ValueError, match=message):
        datasets.write(tmp_path / "out.txt", 1000, **options)
    assert os.listdir(tmp_path) == []


def test_command_line(tmp_path, capsys):
    out = tmp_path / "corpus.txt"
    assert datasets.main([str(out), "--size", "20KB", "--seed", "9", "--extra-words", "50",
                          "--sep", " "]) == 0
    assert out.read_bytes() == b"".join(datasets.generate_bytes(20_000, seed=9, extra_words=50, sep=" "))
    assert "20" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        datasets.main([str(tmp_path / "bad.txt"), "--size", "lots"])
    assert exit_info.value.code == 2
    assert "invalid size 'lots'" in capsys.readouterr().err
    assert not (tmp_path / "bad.txt").exists()
