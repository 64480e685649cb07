"""Output formats for the files users feed next (fastcount.writers), loaded by their real consumers."""

import collections
import json
import math
import os

import jieba
import jieba.analyse
import pytest

import fastcount
from fastcount import cli, writers
from fastcount.documents import DocumentCounts, count_documents
from fastcount.writers import save

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")
SENTENCES = ["这个酒店的房间很干净，服务也不错，早餐一般", "京东送货很快，包装完好，电脑性能不错",
             "书的内容很好，就是纸张有点差，价格便宜"]


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    return lines[:-1] if lines[-1] == "" else lines


@pytest.fixture(scope="module")
def result():
    return count_documents(SAMPLE, workers=2)


def test_jieba_dictionary_loads_in_jieba_and_fastcount(tmp_path, result):
    path = tmp_path / "corpus.dict"
    assert save(result.counts, path) == []  # the ending means the jieba format
    tk = jieba.Tokenizer(dictionary=str(path))
    tk.tmp_dir = str(tmp_path)
    tk.initialize()
    assert {w: tk.FREQ[w] for w in result.counts} == dict(result.counts)
    mine = fastcount.Tokenizer(dictionary=str(path))
    for text in SENTENCES + lines_of(SAMPLE)[:50]:
        assert mine.lcut(text) == tk.lcut(text)
    # as a user dictionary, in jieba and in fastcount
    user_jieba, user_mine = jieba.Tokenizer(), fastcount.Tokenizer()
    user_jieba.load_userdict(str(path))
    user_mine.load_userdict(str(path))
    for text in SENTENCES:
        assert user_mine.lcut(text) == user_jieba.lcut(text)


def test_jieba_dictionary_skips_and_reports_what_it_cannot_hold(tmp_path):
    counts = fastcount.Counter({"好": 3, "a b": 2, " x": 2, "": 1, "y\u2028z": 1, "\ufeffw": 1, "ok": 1})
    path = tmp_path / "d.txt"
    skipped = save(counts, path, "jieba")
    assert sorted(skipped) == sorted(["a b", " x", "", "y\u2028z", "\ufeffw"])
    assert path.read_text(encoding="utf-8") == "好 3\nok 1\n"


def test_jieba_dictionary_tags(tmp_path):
    table = writers.Table([("北京", 5), ("跑", 2), ("x", 1)], tags=["ns", None, "eng"])
    path = tmp_path / "tags.txt"
    with open(path, "w", encoding="utf-8") as out:
        writers.write_table(table, out, "jieba")
    assert path.read_text(encoding="utf-8") == "北京 5 ns\n跑 2\nx 1 eng\n"
    tk = jieba.Tokenizer()
    tk.load_userdict(str(path))
    assert tk.FREQ["北京"] == 5


def reference_idf(path, out):
    """A short Python reference: documents = lines, df by sets of jieba.lcut tokens."""
    lines = lines_of(path)
    dfs = collections.Counter()
    for line in lines:
        dfs.update({w for w in jieba.lcut(line) if not w.isspace()})
    with open(out, "w", encoding="utf-8") as f:
        for w, df in dfs.items():
            if " " not in w and w.strip() == w and w:
                f.write(f"{w} {math.log(len(lines) / df)!r}\n")


def test_idf_file_gives_jieba_analyse_the_reference_keywords(tmp_path, result):
    mine, ref = tmp_path / "mine.idf", tmp_path / "ref.txt"
    save(result, mine)
    reference_idf(SAMPLE, ref)

    def idf_of(path):
        return dict((w, float(v)) for w, v in (line.split(" ") for line in path.read_text(encoding="utf-8").splitlines()))

    assert idf_of(mine) == idf_of(ref)
    for text in SENTENCES + lines_of(SAMPLE)[:30]:
        tags = [jieba.analyse.TFIDF(idf_path=str(p)).extract_tags(text, topK=5, withWeight=True) for p in (mine, ref)]
        assert tags[0] == tags[1]


def test_smoothed_idf(tmp_path):
    result = DocumentCounts(fastcount.Counter({"a": 5, "b": 1}), fastcount.Counter({"a": 3, "b": 1}), 3)
    path = tmp_path / "idf.txt"
    save(result, path, "idf", smooth_idf=True)
    assert path.read_text(encoding="utf-8") == f"a {math.log(4 / 4) + 1!r}\nb {math.log(4 / 2) + 1!r}\n"
    save(result, path, "idf")
    assert path.read_text(encoding="utf-8") == f"a {0.0!r}\nb {math.log(3)!r}\n"


def read_word2vec_vocab(data: bytes):
    """word2vec.c's ReadVocab: ReadWord (words end at space, tab, newline; CR
    skipped; newline alone is </s>), then a count."""
    words, i = [], 0
    while i < len(data):
        word = bytearray()
        while i < len(data):
            ch = data[i]
            i += 1
            if ch == 13:
                continue
            if ch in (32, 9, 10):
                if word:
                    if ch == 10:
                        i -= 1
                    break
                if ch == 10:
                    word = bytearray(b"</s>")
                    break
                continue
            word.append(ch)
        if not word:
            break
        j = data.index(b"\n", i)
        words.append((word.decode(), int(data[i:j])))
        i = j + 1
    return words


def learn_vocab(corpus: bytes):
    """word2vec.c's LearnVocabFromTrainFile: word counts of a training file, </s> per line."""
    counts = collections.Counter()
    for line in corpus.split(b"\n")[:-1]:
        counts["</s>"] += 1
        counts.update(w.decode() for w in line.replace(b"\r", b"").replace(b"\t", b" ").split(b" ") if w)
    return counts


def test_word2vec_vocab_agrees_with_the_segmented_corpus(tmp_path, result):
    from fastcount.cutting import cut_corpus

    path = tmp_path / "w2v.vocab"
    assert save(result, path) == []
    vocab = read_word2vec_vocab(path.read_bytes())
    assert vocab[0] == ("</s>", result.docs)
    assert [c for _, c in vocab[1:]] == sorted((c for _, c in vocab[1:]), reverse=True)
    seg = tmp_path / "seg.txt"
    cut_corpus(SAMPLE, seg, workers=2)
    assert dict(vocab) == learn_vocab(seg.read_bytes())


def test_word2vec_needs_the_number_of_texts(tmp_path):
    counts = fastcount.Counter({"a": 2, "b c": 1, "</s>": 1})
    with pytest.raises(ValueError, match="number of texts"):
        save(counts, tmp_path / "v.vocab")
    assert os.listdir(tmp_path) == []
    assert sorted(save(counts, tmp_path / "v.vocab", texts=7)) == ["</s>", "b c"]
    assert (tmp_path / "v.vocab").read_text() == "</s> 7\na 2\n"


def test_gensim_dictionary(tmp_path, result):
    path = tmp_path / "corpus.gensim"
    assert save(result, path) == []
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == str(result.docs) and lines[-1] == ""
    rows = [line.split("\t") for line in lines[1:-1]]
    assert [w for _, w, _ in rows] == sorted(w for _, w, _ in rows)
    assert {w: int(d) for _, w, d in rows} == dict(result.dfs)
    corpora = pytest.importorskip("gensim.corpora")
    d = corpora.Dictionary.load_from_text(str(path))
    assert d.num_docs == result.docs
    assert {w: d.dfs[i] for w, i in d.token2id.items()} == dict(result.dfs)


def test_tsv_csv_json_with_dfs(tmp_path, result):
    items = writers.sorted_items(result.counts)
    save(result, tmp_path / "c.tsv")
    assert (tmp_path / "c.tsv").read_text(encoding="utf-8").splitlines()[0] == f"{items[0][0]}\t{items[0][1]}\t{result.dfs[items[0][0]]}"
    save(result, tmp_path / "c.csv")
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").splitlines()[0] == "word,count,df"
    save(result, tmp_path / "c.json")
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data == {w: {"count": c, "df": result.dfs[w]} for w, c in items}
    save(result, tmp_path / "plain.tsv", dfs=False)
    assert (tmp_path / "plain.tsv").read_text(encoding="utf-8").splitlines()[0] == f"{items[0][0]}\t{items[0][1]}"


def test_format_inference_and_conflicts(tmp_path):
    assert writers.format_for("x.csv") == "csv" and writers.format_for("x.txt") == "tsv"
    assert writers.format_for("X.JSON") == "json" and writers.format_for(None, "idf") == "idf"
    assert writers.format_for("dict.txt", "jieba") == "jieba"
    with pytest.raises(ValueError, match="conflicts"):
        writers.format_for("x.csv", "json")
    with pytest.raises(ValueError, match="document frequencies"):
        save(fastcount.Counter({"a": 1}), tmp_path / "x.idf")
    assert os.listdir(tmp_path) == []


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_formats(capsys, tmp_path, result):
    out = tmp_path / "idf.txt"
    code, _, err = run(capsys, "count", SAMPLE, "-j", "2", "--format", "idf", "-o", out)
    assert code == 0
    save(result, tmp_path / "ref.idf")
    assert out.read_bytes() == (tmp_path / "ref.idf").read_bytes()
    code, _, _ = run(capsys, "count", SAMPLE, "-q", "--df", "-o", tmp_path / "c.csv")
    assert code == 0 and (tmp_path / "c.csv").read_text(encoding="utf-8").startswith("word,count,df\n")
    code, _, _ = run(capsys, "count", SAMPLE, "-q", "-o", tmp_path / "w.vocab")
    assert code == 0 and (tmp_path / "w.vocab").read_text(encoding="utf-8").startswith(f"</s> {result.docs}\n")


@pytest.mark.parametrize("argv, message", [
    (["--format", "json", "-o", "{tmp}/x.csv"], "--format json conflicts with the output file"),
    (["--format", "idf", "--dask"], "--format idf needs document frequencies"),
    (["--df", "--dask"], "--df needs document frequencies"),
])
def test_cli_usage_errors(capsys, tmp_path, argv, message):
    code, _, err = run(capsys, "count", SAMPLE, "-q", *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2 and message in err and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_cli_reports_words_a_format_cannot_hold(capsys, tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("a b\nc d\n", encoding="utf-8")
    code, out, err = run(capsys, "count", path, "-q", "--tokenizer", ".+", "--format", "jieba")
    assert code == 0 and out == ""
    assert "left out 2 words the jieba format cannot hold: 'a b', 'c d'" in err


def test_cli_documents_by_file(capsys, tmp_path):
    paths = []
    for i, lines in enumerate([lines_of(SAMPLE)[:700], lines_of(SAMPLE)[700:]]):
        paths.append(tmp_path / f"part{i}.txt")
        paths[-1].write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "by-file.gensim"
    code, _, _ = run(capsys, "count", *paths, "-q", "-j", "2", "--documents", "file", "-o", out)
    assert code == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "2"
    expected = collections.Counter()
    for path in paths:
        expected.update({w for w in jieba.lcut(path.read_text(encoding="utf-8")) if not w.isspace()})
    assert {w: int(d) for _, w, d in (line.split("\t") for line in lines[1:-1])} == dict(expected)
    code, _, err = run(capsys, "count", *paths, "-q", "--documents", "file")
    assert code == 2 and "--documents applies with --df" in err


def test_jieba_dictionary_one_line_per_word_of_a_pos_count(tmp_path):
    table = writers.Table([(("北京", "ns"), 5), (("跑", "v"), 3), (("北京", "n"), 2), (("好", "a"), 1), (("好", "d"), 1)])
    path = tmp_path / "pos.dict"
    with open(path, "w", encoding="utf-8") as out:
        assert writers.write_table(table, out, "jieba") == []
    # counts summed, the most common tag (ties: the first by tag)
    assert path.read_text(encoding="utf-8") == "北京 7 ns\n跑 3 v\n好 2 a\n"


def test_jieba_dictionary_skips_and_reports_a_tag_it_cannot_hold(tmp_path):
    table = writers.Table([("北京", 5), ("跑", 2)], tags=["N1", "v"])
    path = tmp_path / "tags.dict"
    with open(path, "w", encoding="utf-8") as out:
        assert writers.write_table(table, out, "jieba") == ["北京"]
    assert path.read_text(encoding="utf-8") == "跑 2 v\n"


def test_cli_jieba_dictionary_carries_the_dictionary_and_user_tags(tmp_path):
    import jieba.posseg

    out = tmp_path / "words.dict"
    assert cli.main(["count", SAMPLE, "-q", "-o", str(out)]) == 0
    tags = jieba.posseg.dt.word_tag_tab
    lines = out.read_text(encoding="utf-8").splitlines()
    for line in lines:
        word, _, *tag = line.split(" ")
        assert tag == ([tags[word]] if word in tags else []), line
    assert sum(len(line.split(" ")) == 3 for line in lines) > 100
    # a user word's tag, and the file loads as a user dictionary with it
    text, user = tmp_path / "in.txt", tmp_path / "user.txt"
    text.write_text("石墨烯很好\n石墨烯\n", encoding="utf-8")
    user.write_text("石墨烯 5 nz\n", encoding="utf-8")
    assert cli.main(["count", str(text), "-q", "--user-dict", str(user), "--format", "jieba", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == "石墨烯 2 nz"
    from fastcount.posseg import POSTokenizer

    pos = POSTokenizer(fastcount.Tokenizer())
    pos.tokenizer.load_userdict(str(out))
    assert [tuple(p) for p in pos.lcut("石墨烯很好")][0] == ("石墨烯", "nz")


def test_cli_jieba_dictionary_of_a_pos_count(tmp_path):
    out = tmp_path / "pos.dict"
    assert cli.main(["count", SAMPLE, "-q", "--with-pos", "--format", "jieba", "-o", str(out)]) == 0
    words = [line.split(" ") for line in out.read_text(encoding="utf-8").splitlines()]
    assert len({w[0] for w in words}) == len(words)
    by_word = collections.Counter()
    for (word, _), count in fastcount.count_words(SAMPLE, workers=1, pos=True).items():
        by_word[word] += count
    assert {w[0]: int(w[1]) for w in words} == {w: c for w, c in by_word.items() if not writers._jieba_cannot(w)}
