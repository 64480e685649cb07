"""Counting by part of speech (``count_words(pos=..., pos_filter=...)``, the
POS chunk counter) against collections.Counter over jieba.posseg."""

import collections
import csv
import io
import json
import os
import random
import threading

import jieba
import jieba.posseg
import pytest
from hypothesis import HealthCheck, given, settings

import fastcount
import fastcount.posseg as fp
from fastcount.segmenter import Tokenizer
from fastcount.segmenter._pos_count import PosChunkCounter, tag_matcher
from jieba_cases import TEXTS, USER_DICT, USER_TEXTS, copy_jieba
from pos_cases import jieba_pos_tokenizer, sample_pairs


@pytest.fixture(scope="module")
def jpt():
    return jieba_pos_tokenizer()


@pytest.fixture(scope="module")
def reference():
    """jieba.posseg's pairs of every sample line, HMM on."""
    return sample_pairs(True)


def counted(pairs, keep_whitespace=False, tags=None, by_word=False):
    match = tag_matcher(tags) if tags is not None else (lambda tag: True)
    return collections.Counter(
        (word if by_word else (word, flag)) for line in pairs for word, flag in line
        if (keep_whitespace or not word.isspace()) and match(flag))


@pytest.mark.parametrize("workers, backend", [(1, None), (2, "threads"), (2, "processes")])
def test_pos_counts_as_jieba_posseg(lines, reference, workers, backend):
    got = fastcount.count_words(lines, pos=True, workers=workers, backend=backend)
    expected = counted(reference)
    assert dict(got) == dict(expected)
    if workers == 1:
        assert list(got.items()) == list(expected.items())     # insertion order too
    assert all(type(k) is tuple for k in got)


@pytest.mark.parametrize("tags", ["n*,v", ["a"], "*", "x", ("nr", "ns*")])
def test_pos_filter(lines, reference, tags):
    got = fastcount.count_words(lines, pos_filter=tags, workers=2)
    assert dict(got) == dict(counted(reference, tags=tags, by_word=True))
    got = fastcount.count_words(lines[:300], pos=True, pos_filter=tags, workers=1)
    assert dict(got) == dict(counted(reference[:300], tags=tags))


def test_no_hmm_and_whitespace(jpt, lines):
    texts = lines[:200] + ["a b\tc\r\n d", "  ", "\u3000x"]
    got = fastcount.count_words(texts, pos=True, hmm=False, keep_whitespace=True, workers=1)
    pairs = [[(p.word, p.flag) for p in jpt.lcut(t, HMM=False)] for t in texts]
    assert dict(got) == dict(counted(pairs, keep_whitespace=True))


def test_files_and_blocks(tmp_path, lines, reference):
    path = tmp_path / "sample.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for workers in (1, 2):
        assert dict(fastcount.count_words(str(path), pos=True, workers=workers)) == dict(counted(reference))


def test_min_count_and_top(lines, reference):
    expected = counted(reference)
    got = fastcount.count_words(lines, pos=True, top=25, min_count=3, workers=2)
    ranked = sorted((kv for kv in expected.items() if kv[1] >= 3), key=lambda kv: (-kv[1], kv[0]))
    assert list(got.items()) == ranked[:25]


def test_user_dictionary_tags(jt, tmp_path):
    path = tmp_path / "user.txt"
    path.write_text(USER_DICT, encoding="utf-8")
    jtok = copy_jieba(jt)
    jtok.load_userdict(str(path))
    j = jieba.posseg.POSTokenizer(jtok)
    expected = counted([[(p.word, p.flag) for p in j.lcut(t)] for t in USER_TEXTS])
    assert dict(fastcount.count_words(USER_TEXTS, pos=True, user_dict=str(path), workers=1)) == dict(expected)
    t = Tokenizer()
    t.load_userdict(str(path))
    assert dict(fastcount.count_words(USER_TEXTS, t, pos=True, workers=2)) == dict(expected)
    f = fp.POSTokenizer(Tokenizer())
    f.load_userdict(str(path))
    assert dict(fastcount.count_words(USER_TEXTS, f, pos=True, workers=1)) == dict(expected)


def test_bad_options():
    with pytest.raises(ValueError, match="cut_all"):
        fastcount.count_words(["a"], pos=True, cut_all=True)
    with pytest.raises(ValueError, match="jieba.posseg"):
        fastcount.count_words(["a"], "whitespace", pos=True)
    with pytest.raises(ValueError, match="empty tag"):
        fastcount.count_words(["a"], pos_filter="n,,v")
    with pytest.raises(TypeError):
        fastcount.count_words(["a"], pos_filter=["n", 3])
    with pytest.raises(FileNotFoundError):
        fastcount.count_words(["a"], pos=True, user_dict="/no/such/file.txt")


def test_math_domain_error_counts_nothing(jt):
    t = Tokenizer()
    t.check_initialized()
    t.dictionary_core.total = 0
    counter = PosChunkCounter(fp.POSTokenizer(t).tagger())
    counter.feed(["，。"])                  # no route: no error
    with pytest.raises(ValueError, match="math domain error in texts\\[1\\]"):
        counter.feed(["，", "北京"])
    vocab, counts = counter.vocab_result()
    assert vocab.words() == ["，\0x", "。\0x"] and counts.tolist() == [1, 1]


def test_tags_set_between_feeds_count():
    tagger = fp.POSTokenizer(Tokenizer()).tagger()
    counter = PosChunkCounter(tagger)
    counter.feed(["北京欢迎你"])
    tagger.set_tag("北京", "zz")
    counter.feed(["北京"])
    vocab, counts = counter.vocab_result()
    assert vocab.words()[0] == "北京\0ns" and "北京\0zz" in vocab.words()


def test_a_filter_answers_for_tags_new_since_the_last_feed():
    # tags new to the tagger, one per feed: the filter must answer for each
    # (it once kept the answer 'no' for room it had grown ahead)
    tagger = fp.POSTokenizer(Tokenizer()).tagger()
    counter = PosChunkCounter(tagger, tags="q*", with_tags=False)
    counter.feed(["北京"])
    for k, word in enumerate(["北京", "上海", "广州"]):
        tagger.set_tag(word, f"q{k}")
        counter.feed([word])
    vocab, counts = counter.vocab_result()
    assert dict(zip(vocab.words(), counts.tolist())) == {"北京": 1, "上海": 1, "广州": 1}


def test_counters_of_one_tagger_in_threads(lines):
    tagger = fp.dt.tagger()
    text = "".join(lines[:400])          # long: cut without the GIL
    alone = PosChunkCounter(tagger)
    alone.feed([text])
    expected = alone.vocab_result()
    results = []

    def work():
        counter = PosChunkCounter(tagger)
        for _ in range(3):
            counter.feed([text])
        results.append(counter.vocab_result())

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3
    for vocab, counts in results:
        assert vocab.words() == expected[0].words() and counts.tolist() == (3 * expected[1]).tolist()


def alone_counts(tagger, texts):
    """(words, counts) of one counter alone over its tagger: its own run cache only."""
    counter = PosChunkCounter(tagger)
    counter.feed(texts)
    vocab, counts = counter.vocab_result()
    return vocab.words(), counts.tolist()


def rare_runs(seed, n):
    """Texts of Han runs the dictionary does not know (the posseg HMM cuts
    them), separated by punctuation."""
    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x9F00, 0x9FA6)]
    runs = ["".join(rng.choice(chars) for _ in range(rng.randint(2, 6))) for _ in range(n)]
    return ["，".join(runs[i:i + 50]) for i in range(0, n, 50)]


def test_counters_alive_together_share_runs_at_other_offsets():
    # past 32,768 distinct runs the shared cache is emptied and fills again;
    # a run it keeps from one counter is cut at another place by the other
    tagger = fp.dt.tagger()
    first = rare_runs(1, 40000)
    second = ["甲" + t[::-1] + "，" + t for t in first[-60:]]   # its last runs, elsewhere
    expected = [alone_counts(tagger, first), alone_counts(tagger, second)]
    a, b = PosChunkCounter(tagger), PosChunkCounter(tagger)
    a.feed(first)
    b.feed(second)
    a.feed(second[:5])
    got = [b.vocab_result()]
    a_vocab, a_counts = a.vocab_result()
    assert [(v.words(), c.tolist()) for v, c in got] == [expected[1]]
    assert dict(zip(a_vocab.words(), a_counts.tolist())) == collections.Counter(
        dict(zip(*expected[0]))) + collections.Counter(dict(zip(*alone_counts(tagger, second[:5]))))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_counters_share_runs_in_a_forked_child():
    tagger = fp.dt.tagger()
    texts = rare_runs(2, 2000)
    expected = alone_counts(tagger, texts)
    keep = PosChunkCounter(tagger)      # two alive: the shared cache in use
    keep.feed(texts[:10])
    pid = os.fork()
    if pid == 0:    # the child: a fresh lock and cache; exit code 0 when the counts agree
        code = 1
        try:
            code = 0 if alone_counts(tagger, texts) == expected else 1
        finally:
            os._exit(code)     # never back into pytest, even on an exception
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=TEXTS.map(lambda t: t.split("\n")))
def test_generated_text(jpt, texts):
    counter = PosChunkCounter(fp.dt.tagger())
    counter.feed(texts)
    vocab, counts = counter.vocab_result()
    got = {tuple(w.rsplit("\0", 1)): n for w, n in zip(vocab.words(), counts.tolist())}
    assert got == dict(counted([[(p.word, p.flag) for p in jpt.lcut(t)] for t in texts]))


# ---------------------------------------------------------------- the command
def run_count(capsys, *argv):
    from fastcount import cli

    code = cli.main(["count", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sample_file(tmp_path, lines):
    path = tmp_path / "sample.txt"
    path.write_text("\n".join(lines[:300]) + "\n", encoding="utf-8")
    return path


def test_cli_with_pos(capsys, sample_file, reference):
    expected = sorted(counted(reference[:300]).items(), key=lambda kv: (-kv[1], kv[0]))
    code, out, _ = run_count(capsys, sample_file, "--with-pos", "-q", "-j", "2")
    assert code == 0
    assert out == "".join(f"{w}\t{t}\t{c}\n" for (w, t), c in expected)
    code, out, _ = run_count(capsys, sample_file, "--with-pos", "--format", "csv", "--top", "3", "-q")
    assert list(csv.reader(io.StringIO(out))) == [["word", "tag", "count"]] + [
        [w, t, str(c)] for (w, t), c in expected[:3]]
    code, out, _ = run_count(capsys, sample_file, "--with-pos", "--format", "json", "--top", "3", "-q")
    assert json.loads(out) == [[w, t, c] for (w, t), c in expected[:3]]


def test_cli_pos_filter(capsys, sample_file, reference):
    expected = sorted(counted(reference[:300], tags="n*,v", by_word=True).items(),
                      key=lambda kv: (-kv[1], kv[0]))
    code, out, _ = run_count(capsys, sample_file, "--pos", "n*,v", "-q")
    assert code == 0 and out == "".join(f"{w}\t{c}\n" for w, c in expected)
    code, out, err = run_count(capsys, sample_file, "--pos", "n,,v")
    assert code == 2 and "empty tag" in err
    code, out, err = run_count(capsys, sample_file, "--with-pos", "--cut-all")
    assert code == 2 and "cut_all" in err
