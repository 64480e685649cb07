"""The native n-gram engine: NgramTable (counting, spilling) and Merge, against
the Python references of ngram_reference.py."""

import collections
import os
import random
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastcount._ngram_merge import Merge, append_sorted
from fastcount._ngram_run_index import index_keys
from fastcount._ngrams import MAX_N, NgramTable, first_sight_merge
from fastcount._vocab import Vocab

from ngram_reference import char_ngrams, is_break, word_ngrams

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")


def sample_texts():
    with open(SAMPLE, encoding="utf-8") as f:
        return f.read().split("\n")


def table_counts(table):
    vocab, counts = table.vocab_result()
    words = vocab.words()
    assert [vocab.id_of(w) for w in words] == list(range(len(words)))  # a working Vocab
    return dict(zip(words, counts.tolist()))


def merged(sources, min_count=1):
    vocab, counts = Merge(sources).to_vocab(min_count)
    words = vocab.words()
    assert [vocab.id_of(w) for w in words] == list(range(len(words)))
    return dict(zip(words, counts.tolist()))


# Characters of every class the rules treat differently: CJK, Latin, digits
# (fullwidth too), ASCII and fullwidth punctuation, whitespace of every kind
# Python knows (U+001C..U+001F and U+2028 count), astral characters, a
# combining mark, NUL.
ALPHABET = (
    "的一是了我不人在他有这个上们来到北京清华大学葡萄"
    "abcXYZ019０９"
    ",.!?;:'\"()-，。！？；：、…“”《》【】"
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000"
    "\U00020000\U0001F600\u0301\x00"
)
texts_strategy = st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=12)


@pytest.mark.parametrize("lo,hi", [(1, 1), (1, 4), (2, 3), (3, 6)])
@pytest.mark.parametrize("keep_punct", [False, True])
def test_char_ngrams_of_real_text(lo, hi, keep_punct):
    texts = sample_texts()
    table = NgramTable(lo, hi, keep_punct=keep_punct)
    size = table.feed(texts)
    assert size == sum(len(t.encode("utf-8")) for t in texts)
    expected = char_ngrams(texts, lo, hi, keep_punct)
    assert table_counts(table) == expected
    assert table.total == sum(expected.values())
    assert table.texts == len(texts)


def test_first_sight_order_is_counters():
    texts = sample_texts()[:200]
    table = NgramTable(1, 3)
    table.feed(texts)
    vocab, _ = table.vocab_result()
    assert vocab.words() == list(char_ngrams(texts, 1, 3))


def test_utf8_blocks_count_as_texts():
    with open(SAMPLE, "rb") as f:
        data = f.read()
    texts = data.decode("utf-8").split("\n")[:-1]
    table = NgramTable(1, 4)
    assert table.feed_utf8(data) == len(texts)
    assert table_counts(table) == char_ngrams(texts, 1, 4)
    # no final line end, \r\n line ends, a BOM: as Python decodes the block
    table = NgramTable(1, 2)
    data = "\ufeff甲乙\r\n丙丁\n戊".encode("utf-8")
    assert table.feed_utf8(data) == 3
    assert table_counts(table) == char_ngrams(data.decode("utf-8").split("\n"), 1, 2)


@pytest.mark.parametrize("bad", [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xe4\xb8", b"\xf4\x90\x80\x80"])
def test_bytes_python_refuses_count_nothing(bad):
    table = NgramTable(1, 2)
    table.feed_utf8("甲乙\n".encode())
    before = table_counts(table)
    assert table.feed_utf8("丙丁\n".encode() + bad + b"\n") == -1
    assert table_counts(table) == before and table.total == 3


def test_break_characters_are_pythons():
    # one text holding every code point: the characters counted as 1-grams
    # are exactly those that are neither whitespace nor (unless kept) P*
    everything = "".join(map(chr, range(0x110000)))
    for keep_punct in (False, True):
        table = NgramTable(1, 1, keep_punct=keep_punct)
        table.feed([everything])
        counted = set(table_counts(table))
        assert counted == {ch for ch in everything if not is_break(ch, keep_punct)}


@settings(max_examples=150, deadline=None)
@given(texts_strategy, st.integers(1, 5), st.integers(0, 3), st.booleans())
def test_char_ngrams_of_generated_text(texts, lo, extra, keep_punct):
    hi = lo + extra
    table = NgramTable(lo, hi, keep_punct=keep_punct)
    table.feed(texts)
    assert table_counts(table) == char_ngrams(texts, lo, hi, keep_punct)


@settings(max_examples=60, deadline=None)
@given(texts_strategy, st.integers(1, 3), st.integers(0, 2))
def test_lone_surrogates_are_characters(texts, lo, extra):
    texts = [t.replace("x", "\ud800").replace("y", "\udfff") for t in texts] + ["a\ud83db"]
    table = NgramTable(lo, lo + extra)
    table.feed(texts)
    assert table_counts(table) == char_ngrams(texts, lo, lo + extra)


@settings(max_examples=60, deadline=None)
@given(texts_strategy, st.integers(1, 4), st.integers(0, 2), st.integers(1, 6))
def test_spilling_changes_nothing(tmp_path_factory, texts, lo, extra, batch):
    directory = tmp_path_factory.mktemp("runs")
    table = NgramTable(lo, lo + extra, limit=1, spill_prefix=str(directory / "w"))
    for i in range(0, len(texts), batch):
        table.feed(texts[i : i + batch])
    table.finish()
    assert merged(table.runs + [table]) == char_ngrams(texts, lo, lo + extra)


def test_spills_stay_within_the_limit_and_merge_exactly(tmp_path):
    texts = sample_texts()
    limit = 256 * 1024
    table = NgramTable(1, 4, limit=limit, spill_prefix=str(tmp_path / "w0"))
    refit = None
    for i in range(0, len(texts), 50):
        table.feed(texts[i : i + 50])
        assert table.memory() <= limit
        if table.runs and refit is None:
            refit = table.memory()
    # after its first run the table's arrays take (nearly) its whole limit,
    # not the half or so that growing them step by step reaches
    assert refit > 0.95 * limit
    table.finish()
    assert len(table.runs) >= 4
    assert table.spilled + table.seen() >= len(char_ngrams(texts, 1, 4))
    expected = char_ngrams(texts, 1, 4)
    sources = table.runs + [table]
    assert merged(sources) == expected
    # min_count applies to the sums: n-grams seen once in several runs stay
    assert merged(sources, min_count=3) == {k: v for k, v in expected.items() if v >= 3}
    lines = []
    assert Merge(sources).write_tsv(lines.append, min_count=2) > 0
    text = b"".join(lines).decode("utf-8")
    assert text == "".join(f"{k}\t{v}\n" for k, v in sorted(expected.items()) if v >= 2)
    # runs merged into one run first (as a merge of many runs does)
    Merge(table.runs[:3]).to_run(tmp_path / "m.run")
    assert merged([tmp_path / "m.run"] + table.runs[3:] + [table]) == expected


@pytest.mark.parametrize("limit", [3000, 40_000, 300_000])
def test_refitted_tables_with_long_keys_merge_exactly(tmp_path, limit):
    # orders up to 7: most keys live in the arena, whose share the refit estimates
    texts = sample_texts()[:400]
    table = NgramTable(2, 7, limit=limit, spill_prefix=str(tmp_path / "w"))
    for i in range(0, len(texts), 20):
        table.feed(texts[i : i + 20])
        assert table.memory() <= limit
    table.finish()
    assert len(table.runs) >= 2
    assert merged(table.runs + [table]) == char_ngrams(texts, 2, 7)


def test_sorting_is_byte_order_for_any_keys():
    # the radix sort's cases: NULs against the end of a key (both pad with 0),
    # inline and arena keys, long shared prefixes (comparisons take over),
    # buckets big and small, 4-byte UTF-8 and lone surrogates
    rng = np.random.default_rng(15)
    alphabet = ["\0", "a", "b", "\x7f", "\u00e9", "\u4e00", "\u4e01", "\U0001f600", "\ud800"]
    words = {"".join(rng.choice(alphabet, size=rng.integers(1, 12))) for _ in range(6000)}
    words |= {"共" * 20 + "".join(rng.choice(alphabet, size=rng.integers(0, 6))) for _ in range(300)}
    words |= {"a", "a\0", "a\0\0", "\0", "\0\0", "a" * 12, "a" * 12 + "\0", "a" * 13}
    vocab = Vocab(sorted(words))
    table = NgramTable(1, 1)
    table.add_counts(vocab, np.arange(1, len(vocab) + 1))
    out, counts = table.sorted_vocab()
    expected = sorted(words, key=lambda w: w.encode("utf-8", "surrogatepass"))
    assert out.words() == expected
    assert counts.tolist() == [vocab.id_of(w) + 1 for w in expected]


def test_batches_and_sorted_vocab_sources():
    texts = sample_texts()[:300]
    a, b = NgramTable(1, 3), NgramTable(1, 3)
    a.feed(texts[:150])
    b.feed(texts[150:])
    merge = Merge([a.sorted_vocab(), b.sorted_vocab()])
    pairs = []
    while True:
        batch = merge.batch(777)
        if not batch:
            break
        pairs += batch
    assert pairs == sorted(char_ngrams(texts, 1, 3).items())
    assert merge.distinct == len(pairs) and merge.total == sum(c for _, c in pairs)


def test_merge_order_at_the_compared_prefix_ends(tmp_path):
    # the merge compares keys by their first 16 bytes as two words, zero-padded:
    # keys equal there (NUL bytes, a prefix of the other) and keys that differ
    # only past byte 16, from every kind of source, in many runs
    stems = ["a", "a\x00", "a\x00\x00", "a" * 8, "a" * 8 + "\x00", "a" * 7 + "b", "a" * 16,
             "a" * 16 + "\x00", "a" * 15 + "\x00", "a" * 16 + "b", "a" * 17, "a" * 16 + "\x00a",
             "a" * 20 + "b", "a" * 20 + "c", "\x00", "\x00" * 9, "\x00" * 17, "葡萄" * 3,
             "葡萄" * 3 + "\x00"]
    rng = random.Random(5)
    expected = collections.Counter()
    sources = []
    for i in range(9):
        tokens = [rng.choice(stems) for _ in range(rng.randrange(1, 30))]
        expected.update(tokens)
        table = NgramTable(1, 1, "word", limit=1 if i % 3 == 0 else 0,
                           spill_prefix=str(tmp_path / f"t{i}") if i % 3 == 0 else None)
        table.feed_tokens([tokens])
        if i % 3 == 0:
            table.finish()
            sources += table.runs + [table]
        elif i % 3 == 1:
            sources.append(table.sorted_vocab())
        else:
            table.finish()
            sources.append(table)
    pairs = Merge(sources).batch(1000)
    assert pairs == sorted(expected.items(), key=lambda p: p[0].encode("utf-8"))


@pytest.fixture(scope="module")
def indexed_sources(tmp_path_factory):
    """Runs long enough to be indexed, a finished table and a sorted Vocab."""
    directory = tmp_path_factory.mktemp("indexed")
    texts = sample_texts()
    spilled = NgramTable(1, 3, limit=300_000, spill_prefix=str(directory / "w"))
    spilled.feed(texts[:1500])
    spilled.finish()
    other = NgramTable(1, 3)
    other.feed(texts[1500:])
    assert len(spilled.runs) >= 2 and all(spilled.run_indexes)
    return spilled.runs + [spilled, other.sorted_vocab()], spilled.run_indexes + [None, None]


@pytest.mark.parametrize("use_indexes", [True, False])
def test_merges_of_adjacent_ranges_make_the_whole(indexed_sources, use_indexes):
    sources, indexes = indexed_sources
    whole = Merge(sources).batch(10**7)
    keys = [k.encode("utf-8") for k, _ in whole]
    named = index_keys(indexes[0])
    assert named == sorted(named) and set(named) <= set(keys)
    splits = [b"", b"\x00", keys[0], keys[1], named[0], named[len(named) // 2],
              named[-1] + b"\x00", keys[-1], keys[-1] + b"!", "\U0010ffff".encode()]
    for split in splits:
        lower = Merge(sources, hi=split, indexes=indexes if use_indexes else None)
        upper = Merge(sources, lo=split, indexes=indexes if use_indexes else None)
        pairs = lower.batch(10**7) + upper.batch(10**7)
        assert pairs == whole, split
        assert lower.distinct + upper.distinct == len(whole)


def test_adjacent_ranges_appended_make_the_whole_vocab(indexed_sources):
    # append_sorted places the upper words' slots by their tags alone: a
    # word misplaced would not be found (or be found under another id)
    sources, indexes = indexed_sources
    whole = Merge(sources).batch(10**7)
    keys = [k.encode("utf-8") for k, _ in whole]
    named = index_keys(indexes[0])
    for i, split in enumerate([b"\x00", keys[0], keys[1], named[0], named[len(named) // 2],
                               named[-1], keys[-1], keys[-1] + b"!"]):
        # joined: lower's slots sized for the upper's words (then not moved)
        vocab, counts = Merge(sources, hi=split, indexes=indexes).to_vocab(joined=i % 2 == 1)
        upper, upper_counts = Merge(sources, lo=split, indexes=indexes).to_vocab()
        append_sorted(vocab, upper)
        words = vocab.words()
        assert list(zip(words, np.concatenate([counts, upper_counts]).tolist())) == whole, split
        assert [vocab.id_of(w) for w in words] == list(range(len(words)))
        assert vocab.get(words[-1] + "!") is None
        assert len(vocab) == len(whole)
        assert len(Vocab(words)) == len(words)  # none twice


def test_append_sorted_refuses_overlapping_vocabs():
    lower = Vocab(["a", "b", "c"])
    for upper in (Vocab(["c", "d"]), Vocab(["b"]), Vocab(["\x00"])):
        with pytest.raises(ValueError, match="below"):
            append_sorted(lower, upper)
        assert lower.words() == ["a", "b", "c"] and lower.id_of("c") == 2
    with pytest.raises(ValueError, match="same"):
        append_sorted(lower, lower)
    append_sorted(lower, Vocab())
    empty = Vocab()
    append_sorted(empty, lower)
    assert empty.words() == ["a", "b", "c"] and [empty.id_of(w) for w in "abc"] == [0, 1, 2]
    big = Vocab([f"w{i:06d}" for i in range(5000)])  # the slots grow on the way
    append_sorted(lower, big)
    assert len(lower) == 5003 and all(lower.id_of(f"w{i:06d}") == i + 3 for i in range(5000))
    assert lower.add("zz") == 5003 and lower.add("a") == 0


def test_a_bad_run_index_is_refused(indexed_sources):
    sources, indexes = indexed_sources
    cut = [None] * len(sources)
    cut[0] = indexes[0][:30]
    open_files = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(20):
        with pytest.raises(ValueError, match="index"):
            Merge(sources, lo=b"\xe5", indexes=cut)
    if open_files is not None:  # the run the failed Merge had opened is closed again
        assert len(os.listdir("/proc/self/fd")) == open_files
    with pytest.raises(ValueError, match="indexes"):
        Merge(sources, indexes=[None])


def test_a_vocab_source_out_of_order_is_refused():
    table = NgramTable(1, 1)
    table.feed(["甲乙"])
    vocab, counts = table.vocab_result()  # first-sight order: U+7532 before U+4E59
    with pytest.raises(ValueError, match="not an intact"):
        Merge([(vocab, counts)]).to_vocab()


def test_tsv_escapes():
    table = NgramTable(1, 1, "word")
    table.feed_tokens([["a\\b", "c\td", "\ud800x"]])
    table.finish()
    lines = []
    Merge([table]).write_tsv(lines.append)
    assert b"".join(lines) == b"a\\\\b\t1\nc\\td\t1\n\\ud800x\t1\n"


@pytest.mark.parametrize("lo,hi", [(1, 1), (1, 3), (2, 2)])
def test_word_ngrams(lo, hi):
    import fastcount

    docs = [fastcount.lcut(t) for t in sample_texts()[:400]]
    docs += [["", "a", " ", "b", "。", "c", "d", "，", "..", "e", "f"], ["x"] * 5]
    table = NgramTable(lo, hi, "word")
    table.feed_tokens(docs)
    assert table_counts(table) == word_ngrams(docs, lo, hi)
    table = NgramTable(lo, hi, "word", keep_punct=True)
    table.feed_tokens(docs)
    assert table_counts(table) == word_ngrams(docs, lo, hi, keep_punct=True)


def test_word_ngrams_through_a_tokenizer_and_long_runs():
    docs = [["w%d" % (i % 5000) for i in range(40_000)]]  # far past the buffer's compaction
    table = NgramTable(2, 3, "word", tokenize=str.split)
    table.feed([" ".join(docs[0])])
    assert table_counts(table) == word_ngrams(docs, 2, 3)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["甲", "乙乙", "a", "", " ", "\u3000", "，", "!?", "x.y", "\t"]),
                         max_size=15), max_size=8), st.integers(1, 3), st.integers(0, 2))
def test_word_ngrams_of_generated_tokens(docs, lo, extra):
    table = NgramTable(lo, lo + extra, "word")
    table.feed_tokens(docs)
    assert table_counts(table) == word_ngrams(docs, lo, lo + extra)


def test_bad_tokens_count_nothing():
    table = NgramTable(1, 2, "word")
    table.feed_tokens([["甲", "乙"]])
    with pytest.raises(ValueError, match="holds a space"):
        table.feed_tokens([["丙"], ["a b"]])
    with pytest.raises(TypeError, match="token 1 of text 0 is int"):
        table.feed_tokens([["丙", 3]])
    assert table_counts(table) == {"甲": 1, "乙": 1, "甲 乙": 1}
    one = NgramTable(1, 1, "word")  # unigrams join nothing: a space is fine
    one.feed_tokens([["a b"]])
    assert table_counts(one) == {"a b": 1}


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="lo <= hi"):
        NgramTable(3, 2)
    with pytest.raises(ValueError, match="lo <= hi"):
        NgramTable(1, MAX_N + 1)
    with pytest.raises(ValueError, match="unit"):
        NgramTable(1, 2, "byte")
    with pytest.raises(TypeError, match="texts\\[1\\] is bytes"):
        NgramTable(1, 2).feed(["a", b"b"])
    with pytest.raises(TypeError):
        NgramTable(1, 2, "word").feed(["a b"])  # no tokenizer
    finished = NgramTable(1, 2)
    finished.finish()
    with pytest.raises(RuntimeError, match="finished"):
        finished.feed(["a"])
    with pytest.raises(ValueError, match="not finished"):
        Merge([NgramTable(1, 2)])


def test_a_file_that_is_not_a_run(tmp_path):
    path = tmp_path / "x.run"
    path.write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not an n-gram run"):
        Merge([path])
    with pytest.raises(FileNotFoundError, match="nope.run"):
        Merge([tmp_path / "nope.run"])


def test_truncated_runs_are_refused(tmp_path):
    table = NgramTable(1, 2, limit=1, spill_prefix=str(tmp_path / "w"))
    table.feed(sample_texts()[:20])
    table.spill()
    run = table.runs[0]
    data = open(run, "rb").read()
    for cut in (len(data) - 1, len(data) // 2, 9):
        with open(run, "wb") as f:
            f.write(data[:cut])
        with pytest.raises(ValueError, match=f"{os.path.basename(run)} is not an intact"):
            Merge([run]).to_vocab()
    with open(run, "wb") as f:
        f.write(data + b"\x00")
    with pytest.raises(ValueError, match="not an intact"):
        Merge([run]).to_vocab()


def test_a_run_key_that_is_not_utf8_is_refused(tmp_path):
    # a table's keys were checked as they came in; a run's are checked in
    # the merge, also beside a table (whose keys alone are not)
    table = NgramTable(1, 1, limit=1, spill_prefix=str(tmp_path / "w"))
    table.feed(["甲"])
    table.spill()
    (run,) = table.runs
    data = open(run, "rb").read()
    key = "甲".encode()
    assert data.count(key) == 1
    with open(run, "wb") as f:
        f.write(data.replace(key, key[:2] + b"\xff"))  # no continuation byte
    other = NgramTable(1, 1)
    other.feed(["乙"])
    other.finish()
    for sources in ([run], [other, run]):
        with pytest.raises(ValueError, match="not an intact n-gram run"):
            Merge(sources).to_vocab()
    vocab, counts = Merge([other]).to_vocab()
    assert vocab.words() == ["乙"] and counts.tolist() == [1]


def test_altered_runs_never_crash(tmp_path, child_env):
    # every merge of a mutated run ends in an exception or a result; in a
    # child, so that a crash fails the test rather than the whole run
    code = f"""
import random
from fastcount._ngrams import NgramTable
from fastcount._ngram_merge import Merge, append_sorted
from fastcount._ngram_run_index import index_keys
t = NgramTable(1, 3, limit=1, spill_prefix={str(tmp_path / "w")!r})
t.feed(open({SAMPLE!r}, encoding="utf-8").read().split("\\n")[:60])
t.spill()
data = bytearray(open(t.runs[0], "rb").read())
rng = random.Random(5)
outcomes = set()
for i in range(400):
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        mutated[rng.randrange(8, len(mutated))] = rng.randrange(256)
    open(t.runs[0], "wb").write(mutated)
    for method in ("to_vocab", "write_tsv"):
        try:
            m = Merge([t.runs[0]])
            m.to_vocab() if method == "to_vocab" else m.write_tsv(lambda b: None)
            outcomes.add("ok")
        except (ValueError, OverflowError) as e:
            outcomes.add(type(e).__name__)
print(sorted(outcomes))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path, env=child_env)
    assert out.returncode == 0, out.stderr
    assert "ValueError" in out.stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_names_the_directory(tmp_path):
    os.symlink("/dev/full", tmp_path / "w-000000.run")
    table = NgramTable(1, 2, limit=1, spill_prefix=str(tmp_path / "w"))
    with pytest.raises(OSError, match=f"in {tmp_path}: No space left") as err:
        table.feed(sample_texts()[:50])
    assert err.value.filename == str(tmp_path)
    with pytest.raises(RuntimeError, match="failed earlier"):
        table.feed(["a"])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_table_whose_later_spill_failed_is_refused(tmp_path):
    # the failed spill had sorted the entries (their slots emptied) and the
    # spill before it emptied the table without clearing the slots again:
    # every use raises, none reads the table
    os.symlink("/dev/full", tmp_path / "w-000001.run")
    table = NgramTable(1, 2, limit=1, spill_prefix=str(tmp_path / "w"))
    with pytest.raises(OSError, match="No space left"):
        table.feed(sample_texts()[:50])
    assert len(table.runs) == 2 and table.total > 0 and table.memory() > 0
    for use in (lambda: table.feed(["a"]), table.spill, table.finish, table.vocab_result,
                table.sorted_vocab, lambda: first_sight_merge([table], [(0, 0, 1)])):
        with pytest.raises(RuntimeError, match="failed earlier"):
            use()
    with pytest.raises(ValueError, match="not finished"):
        Merge([table])
    vocab, counts = Merge([table.runs[0]]).to_vocab()  # the run written before is intact
    assert len(vocab) == 1 and counts.tolist() == [1]


def test_threads_sharing_a_table_get_errors_not_crashes():
    table = NgramTable(1, 4)
    texts = sample_texts()
    errors = []

    def work():
        for _ in range(5):
            try:
                table.feed(texts)
            except RuntimeError as err:
                errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("busy" in str(e) for e in errors)
    fed = 20 - len(errors)
    expected = char_ngrams(texts, 1, 4)
    assert table_counts(table) == {k: v * fed for k, v in expected.items()}


def test_counts_made_elsewhere_add_up():
    texts = sample_texts()
    a, b = NgramTable(1, 3), NgramTable(1, 3)
    a.feed(texts[:700])
    b.feed(texts[700:])
    total = NgramTable(2, 2)  # the orders of the table do not matter here
    for part in (a, b):
        total.add_counts(*part.vocab_result())
    assert table_counts(total) == char_ngrams(texts, 1, 3)
    vocab, _ = a.vocab_result()
    with pytest.raises(ValueError, match="negative"):
        total.add_counts(vocab, np.full(len(vocab), -1))
    with pytest.raises(ValueError, match="words but"):
        total.add_counts(vocab, np.ones(1, dtype=np.int64))


def test_keys_of_every_inline_length_stay_apart():
    # n-grams of 1..16 bytes whose bytes differ only by NUL padding or by
    # where a multi-byte character sits (the table packs short keys into words)
    texts = ["a\x00b\x00\x00c" * 3, "\xe9\x00\u20ac\x00\U00020000a\x00", "ab", "a\x00", "\x00a",
             "\u20ac\u20ac\u20ac\u20aca", "\U00020000\U00020000\U00020000"]
    for lo, hi in [(1, 6), (4, 12)]:
        table = NgramTable(lo, hi)
        table.feed(texts)
        assert table_counts(table) == char_ngrams(texts, lo, hi)


@settings(max_examples=60, deadline=None)
@given(texts_strategy, st.integers(1, 8), st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=9)))
def test_a_whole_table_vocab_finds_and_adds_words(texts, hi, more):
    # vocab_result of one table takes over the table's hash slots: the
    # Vocab must find every n-gram by its own hash and grow as any Vocab
    texts = texts + ["\ud800x\udfff" * 3, "\U00020000" * 5]  # keys past the inline 12 bytes
    table = NgramTable(1, hi, keep_punct=True)
    table.feed(texts)
    assert table_counts(table) == char_ngrams(texts, 1, hi, True)
    vocab, _ = table.vocab_result()
    words = vocab.words()
    fresh = Vocab()
    expected = fresh.encode(words + more)
    assert vocab.encode(words + more).tolist() == expected.tolist()
    assert vocab.words() == fresh.words()
    other = NgramTable(1, hi, keep_punct=True)
    other.feed(texts)
    counts = other.vocab_result()[1]
    taken, taken_counts = other.vocab_result(take=True)  # its slots moved into the Vocab
    assert taken.words() == words and taken_counts.tolist() == counts.tolist()
    assert [taken.id_of(w) for w in words] == list(range(len(words)))
    assert other.seen() == 0 and other.memory() == 0 and other.vocab_result()[1].tolist() == []
    other.feed(texts)  # empty, not broken
    assert table_counts(other) == char_ngrams(texts, 1, hi, True)
    vocab, _ = table.sorted_vocab()  # sorted entries: the slots no longer name them
    words = vocab.words()
    assert words == sorted(words, key=lambda w: w.encode("utf-8", "surrogatepass"))
    assert [vocab.id_of(w) for w in words] == list(range(len(words)))


def test_tables_merge_in_first_sight_order():
    texts = sample_texts()
    chunks = [texts[i:i + 100] for i in range(0, len(texts), 100)]
    tables, marks = [NgramTable(1, 3), NgramTable(1, 3)], [[], []]
    for c, chunk in enumerate(chunks):  # chunks dealt to two workers, as threads take them
        p = 0 if c % 3 else 1
        marks[p].append((c, tables[p].seen()))
        tables[p].feed(chunk)
    from fastcount.merge import first_sight_segments

    segments = first_sight_segments(marks, [t.seen() for t in tables])
    vocab, counts = first_sight_merge(tables, [s[1:] for s in segments])
    expected = collections.Counter(char_ngrams(texts, 1, 3))  # keys in order of first sight
    assert vocab.words() == list(expected) and counts.tolist() == list(expected.values())
    assert counts.dtype == np.int64 and [table_counts(t) for t in tables]  # tables unchanged, usable
    assert first_sight_merge(tables, [])[1].tolist() == []
    with pytest.raises(ValueError, match="out of range"):
        first_sight_merge(tables, [(0, 0, tables[0].seen() + 1)])
    with pytest.raises(ValueError, match="out of range"):
        first_sight_merge(tables, [(2, 0, 0)])
    with pytest.raises(TypeError, match="NgramTable"):
        first_sight_merge([object()], [])
    tables[1].finish()
    with pytest.raises(RuntimeError, match="finished"):
        first_sight_merge(tables, [(0, 0, 1)])


def test_a_merged_count_that_leaves_int64_is_refused():
    a, b = NgramTable(1, 1), NgramTable(1, 1)
    a.feed(["a"])
    b.add_counts(*a.vocab_result())
    b.add_counts(a.vocab_result()[0], np.array([2**63 - 3]))
    assert first_sight_merge([a, b], [(0, 0, 1), (1, 0, 1)])[1].tolist() == [2**63 - 1]
    with pytest.raises(OverflowError, match="int64"):
        first_sight_merge([a, b], [(0, 0, 1), (1, 0, 1), (0, 0, 1)])


def test_an_overflowing_count_is_refused():
    table = NgramTable(1, 1)
    table.feed(["a"])
    vocab, _ = table.vocab_result()
    table.add_counts(vocab, np.array([2**63 - 2]))
    with pytest.raises(OverflowError, match="int64"):
        table.add_counts(vocab, np.array([1]))


def test_an_aborted_table_stops_and_writes_no_more_runs(tmp_path):
    table = NgramTable(1, 3, limit=1, spill_prefix=str(tmp_path / "w"))
    table.feed(sample_texts()[:5])
    runs = len(table.runs)
    table.abort()
    with pytest.raises(RuntimeError, match="aborted"):
        table.feed(sample_texts()[5:10])
    assert len(os.listdir(tmp_path)) == runs and not table.busy


def test_known_unigrams_count_right_after_their_ids_change(tmp_path):
    # a character table counts a unigram whose id it knows (code points of
    # the BMP) without a lookup: that must follow every change of the ids
    texts = ["ab\uffff\U00010000a", "\U00010000\uffffba", "b" * 40 + "ab"]
    table = NgramTable(1, 2, spill_prefix=str(tmp_path / "w"))
    table.feed(texts)
    table.spill()  # emptied: the known ids are gone
    table.feed(texts[::-1])
    table.feed(["\uffff" * 3])
    table.finish()
    assert merged(table.runs + [table]) == char_ngrams(texts + texts[::-1] + ["\uffff" * 3], 1, 2)
    # a spill right after the unigrams became known, amid a feed
    table = NgramTable(1, 3, limit=1, spill_prefix=str(tmp_path / "v"))
    table.feed(texts * 3)
    table.finish()
    assert merged(table.runs + [table]) == char_ngrams(texts * 3, 1, 3)
    table = NgramTable(1, 1)
    table.feed(texts)
    table.vocab_result(take=True)  # emptied, ids gone
    table.feed(["b\U00010000b"])
    assert table_counts(table) == {"b": 2, "\U00010000": 1}


def test_a_fed_count_that_would_leave_int64_is_refused():
    # near the end of int64 a feed counts with a check per n-gram (known
    # unigrams too)
    table = NgramTable(1, 2)
    table.feed(["ab"])
    vocab, counts = table.vocab_result()
    table.add_counts(vocab, np.array([0, 0, 2**63 - 7]))
    assert table.total == 2**63 - 4
    table.feed(["ab"])  # exactly to the end
    assert table.total == 2**63 - 1 and table_counts(table) == {"a": 2, "b": 2, "ab": 2**63 - 5}
    table = NgramTable(1, 1)
    table.feed(["a"])
    table.add_counts(*table.vocab_result())
    table.add_counts(table.vocab_result()[0], np.array([2**63 - 3]))
    with pytest.raises(OverflowError, match="int64"):
        table.feed(["a"])


def _prefix_words(seed, size):
    # keys tied in their first 8, 12 or 16 bytes (the sort's fixed-width
    # prefix), NULs against a key's end, inline and arena keys, astral
    # characters and lone surrogates
    alphabet = ["\0", "a", "\x7f", "\u00e9", "\u4e00", "\u4e01", "\U0001f600", "\ud800"]
    heads = ["", "ab" * 4, "共同" * 2, "共同体" * 2, "\U0001f600" * 3, "a" * 12, "\0" * 8]
    rng = random.Random(seed)  # numpy's str arrays would drop trailing NULs
    words = set()
    while len(words) < size:
        head = rng.choice(heads)
        words.add(head + "".join(rng.choices(alphabet, k=rng.randint(0 if head else 1, 5))))
    words = sorted(words)
    rng.shuffle(words)  # ids in no order
    return words


@pytest.mark.parametrize("size", [1, 2, 10, 300, 3000, 5000])
def test_spilled_run_is_byte_order(tmp_path, size):
    # small and large tables (buckets sorted in place, or distributed
    # through the slots), ids in no order
    words = _prefix_words(size, size)
    vocab = Vocab(words)
    table = NgramTable(1, 1, spill_prefix=os.fsencode(tmp_path / "t"))
    table.add_counts(vocab, np.arange(1, len(words) + 1))
    table.spill()
    assert len(table.runs) == 1
    out, counts = Merge(table.runs).to_vocab(1)
    expected = sorted(words, key=lambda w: w.encode("utf-8", "surrogatepass"))
    assert out.words() == expected
    assert counts.tolist() == [vocab.id_of(w) + 1 for w in expected]


@pytest.mark.parametrize("whole", [True, False])
def test_first_sight_merge_holds_its_tables_before_any_python_code_runs(monkeypatch, whole):
    # numpy's allocation inside it may run Python code (another thread, a
    # finalizer): a table fed, grown or spilled then would outgrow the sizes read
    import fastcount._ngrams as native

    table = NgramTable(1, 2)
    table.feed(["甲乙丙丁"])
    refused = []

    def feeding(make):
        def allocate(*args, **kwargs):
            try:
                table.feed(["戊己庚辛壬癸子丑寅卯"])
            except RuntimeError as exc:
                refused.append(str(exc))
            return make(*args, **kwargs)
        return allocate

    class Numpy:
        int64 = np.int64
        empty = staticmethod(feeding(np.empty))
        zeros = staticmethod(feeding(np.zeros))

    monkeypatch.setattr(native, "np", Numpy)
    segments = [(0, 0, 7)] if whole else [(0, 0, 3), (0, 3, 7)]
    vocab, counts = first_sight_merge([table], segments)
    assert refused and "busy" in refused[0]
    assert len(vocab) == 7 and counts.sum() == 4 + 3  # 甲乙丙丁: 4 characters, 3 pairs
