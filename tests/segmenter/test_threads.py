"""The segmenter shared by threads: counts and cuts in some threads while
others change the words (add_word, del_word, Force_Split_Words) must neither
crash nor give other tokens than jieba. The hammering runs in a child
process: a crash must fail the test, not end the suite."""

import os
import subprocess
import sys
import textwrap

from jieba_cases import DATA

# The end of a hammer script: the changing and cutting threads run while
# one_round() counts, for argv[2] seconds and at least twice; exit 1 when a
# thread or a round put something in failures.
DRIVE = textwrap.dedent("""
    def drive(targets, one_round):
        threads = [threading.Thread(target=f) for f in targets]
        for t in threads:
            t.start()
        deadline = time.monotonic() + float(sys.argv[2])
        rounds = 0
        try:
            while time.monotonic() < deadline or rounds < 2:
                one_round()
                rounds += 1
        finally:
            stop.set()
            for t in threads:
                t.join()
        print(rounds, failures[:3])
        sys.exit(1 if failures else 0)
""")

HAMMER = textwrap.dedent("""
    import collections, logging, sys, threading, time
    import jieba
    from jieba import finalseg
    import fastcount
    from fastcount.segmenter import Tokenizer

    jieba.setLogLevel(logging.WARNING)
    lines = open(sys.argv[1], encoding="utf-8").read().split("\\n")
    texts = lines * 2
    long_text = "".join(lines[:200])          # cut without the GIL
    small_dict = sys.argv[3]              # a small dictionary: its node arrays grow often
    reference = {
        None: collections.Counter(w for t in texts for w in jieba.lcut(t) if not w.isspace()),
        small_dict: collections.Counter(w for t in texts for w in jieba.Tokenizer(small_dict).lcut(t)
                                        if not w.isspace()),
    }
    long_reference = jieba.lcut(long_text)
    tokenizers = {None: Tokenizer(), small_dict: Tokenizer(small_dict)}
    tok = tokenizers[None]
    failures = []
    stop = threading.Event()
""") + DRIVE + textwrap.dedent("""

    def private_word(i):
        # private-use characters: in no text, so no change alters a token
        return chr(0xE000 + i % 3000) + chr(0xE000 + (7 * i) % 3000)

    def change_words():
        i = 0
        try:
            while not stop.is_set():
                word = private_word(i)
                if i % 3 == 0:
                    jieba.del_word(word)              # jieba's FREQ and Force_Split_Words
                elif i % 3 == 1:
                    for t in tokenizers.values():
                        t.add_word(word, i % 4)       # 0: Force_Split_Words too
                else:
                    finalseg.Force_Split_Words.discard(private_word(i - 3))
                i += 1
                if i % 64 == 0:
                    time.sleep(0.001)
        except BaseException as e:
            failures.append(repr(e))

    def cut_long():
        try:
            while not stop.is_set():
                if tok.lcut(long_text) != long_reference:
                    failures.append("lcut differs")
                tok.lcut(lines[3])                    # a short cut, holding the GIL
        except BaseException as e:
            failures.append(repr(e))

    def count_round():
        for name, t in tokenizers.items():
            got = fastcount.count_words(texts, tokenizer=t, workers=2, backend="threads")
            if dict(got) != dict(reference[name]):
                failures.append(f"count_words differs ({name})")

    drive([change_words, cut_long], count_round)
""")


def test_counts_and_cuts_while_other_threads_change_the_words(child_env, tmp_path):
    script = tmp_path / "hammer.py"
    script.write_text(HAMMER, encoding="utf-8")
    small_dict = tmp_path / "dict.txt"
    small_dict.write_text("中国 100 ns\n中国人 30 n\n人民 50\n商品 40\n很好 20\n质量 30\n不错 25\n",
                          encoding="utf-8")
    seconds = os.environ.get("FASTCOUNT_HAMMER_SECONDS", "3")
    run = subprocess.run([sys.executable, str(script), DATA, seconds, str(small_dict)],
                         cwd=tmp_path, env=child_env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])


BUSY = textwrap.dedent("""
    import threading
    from fastcount.segmenter import ChunkCounter, dt

    counter = ChunkCounter(dt)
    inside, release = threading.Event(), threading.Event()

    def slow_texts():
        yield "中国人民"
        inside.set()
        release.wait(30)          # Python code runs while the counter is busy
        yield "北京"

    feeder = threading.Thread(target=counter.feed, args=(slow_texts(),))
    feeder.start()
    inside.wait(30)
    refused = []
    for call in (lambda: counter.feed(["上海"] * 1000), counter.vocab_result):
        try:
            call()
        except RuntimeError as e:
            refused.append("busy" in str(e))
    release.set()
    feeder.join()
    vocab, counts = counter.vocab_result()
    assert refused == [True, True], refused
    assert dict(zip(vocab.words(), counts.tolist())) == {"中国": 1, "人民": 1, "北京": 1}
    print("ok")
""")


def test_a_counter_busy_in_one_thread_refuses_another(child_env, tmp_path):
    run = subprocess.run([sys.executable, "-c", BUSY], cwd=tmp_path, env=child_env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", (run.returncode, run.stderr[-2000:])


POS_HAMMER = textwrap.dedent("""
    import collections, logging, sys, threading, time
    import jieba, jieba.posseg
    import fastcount
    from fastcount.posseg import POSTokenizer
    from fastcount.segmenter import Tokenizer

    jieba.setLogLevel(logging.WARNING)
    lines = open(sys.argv[1], encoding="utf-8").read().split("\\n")[:300]
    long_text = "".join(lines[:100])          # cut without the GIL
    reference = collections.Counter((p.word, p.flag) for t in lines for p in jieba.posseg.lcut(t)
                                    if not p.word.isspace())
    long_reference = [(p.word, p.flag) for p in jieba.posseg.lcut(long_text)]
    # the word whose tag flips: the most common dictionary word of the texts
    word, old = max((k for k in reference if len(k[0]) > 1 and k[1] not in ("x", "eng", "m")),
                    key=reference.__getitem__)
    new = "flipped"
    pos = POSTokenizer(Tokenizer())
    failures = []
    stop = threading.Event()
""") + DRIVE + textwrap.dedent("""

    def change_tags():
        i = 0
        try:
            while not stop.is_set():
                # what add_word(word, freq, tag) does to the tags, without
                # the change of jieba's total (it would change the tokens)
                pos.tokenizer.user_word_tag_tab[word] = new if i % 2 == 0 else old
                # private-use words (in no text) with tags new to the tagger
                pos.add_word(chr(0xE000 + i % 3000) + chr(0xE000 + (7 * i) % 3000), 0, f"p{i % 50}")
                pos.makesure_userdict_loaded()
                i += 1
                if i % 64 == 0:
                    time.sleep(0.001)
        except BaseException as e:
            failures.append(repr(e))

    def as_old(pairs):
        return [(w, old if (w, t) == (word, new) else t) for w, t in pairs]

    def cut_long():
        try:
            while not stop.is_set():
                got = [(p.word, p.flag) for p in pos.lcut(long_text)]
                if len({t for w, t in got if w == word}) > 1:
                    failures.append("one cut saw two versions of the tags")
                if as_old(got) != long_reference:
                    failures.append("lcut differs")
                pos.lcut(lines[3])                    # a short cut, holding the GIL
        except BaseException as e:
            failures.append(repr(e))

    def count_round():
        got = fastcount.count_words(lines, tokenizer=pos, pos=True, workers=2, backend="threads")
        merged = collections.Counter()
        for (w, t), c in got.items():
            merged[w, old if (w, t) == (word, new) else t] += c
        if dict(merged) != dict(reference):
            failures.append("count_words differs")

    drive([change_tags, cut_long], count_round)
""")


def test_pos_counts_and_cuts_while_another_thread_sets_tags(child_env, tmp_path):
    # POSTokenizer.add_word(w, f, tag) and load_userdict's tags while POS cuts
    # and counts of the same tagger run: each sees the tags of before or of
    # after a change (formerly RuntimeError in the changing thread)
    script = tmp_path / "pos_hammer.py"
    script.write_text(POS_HAMMER, encoding="utf-8")
    seconds = os.environ.get("FASTCOUNT_HAMMER_SECONDS", "3")
    run = subprocess.run([sys.executable, str(script), DATA, seconds],
                         cwd=tmp_path, env=child_env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
