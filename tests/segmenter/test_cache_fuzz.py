"""Damaged dictionary caches and Tokenizer pickles (#11: mutated cache files):
detected and rebuilt, or refused with ValueError, never a crash or a read out
of bounds. The mutants run in a child process, so that a crash fails the
test instead of ending the suite; ``pytest -m slow`` runs 100,000 of each kind."""

import subprocess
import sys
import textwrap

import pytest

from jieba_cases import USER_DICT

FUZZ = textwrap.dedent('''
    import pickle, random, sys
    import jieba
    from fastcount.segmenter import Dictionary, Tokenizer, loading

    source, tmp_dir, user_dict, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rng = random.Random(20261207)
    TEXTS = ["中国人民北京", "李小福是创新办主任也是云计算方面的专家", "abc ab a", "民京人民"]


    def mutate(data):
        data = bytearray(data)
        for _ in range(rng.choice([1, 1, 1, 2, 3, 8])):
            kind = rng.randrange(6)
            at = rng.randrange(len(data) + 1)
            if kind == 0 and data:                           # a byte changed
                data[min(at, len(data) - 1)] = rng.randrange(256)
            elif kind == 1 and data:                         # a bit flipped
                data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
            elif kind == 2:                                  # truncated
                del data[at:]
            elif kind == 3:                                  # bytes inserted
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
            elif kind == 4:                                  # a range deleted
                del data[at:at + rng.randrange(1, 64)]
            else:                                            # an int32 overwritten
                data[at:at + 4] = rng.choice([0, 1, 2**31 - 1, 2**32 - 1, 2**30, 0x110000]).to_bytes(4, "little")
        return bytes(data)


    reference = Tokenizer(source)
    reference.tmp_dir = tmp_dir
    reference.initialize()
    expected = [reference.lcut(t) for t in TEXTS]
    good = reference.dictionary_core.dumps()
    cache = loading.cache_path(source, tmp_dir)
    cache_bytes = open(cache, "rb").read()
    changed = Tokenizer(source)
    changed.load_userdict(user_dict)
    changed_pickle = pickle.dumps(changed)
    changed_cuts = [changed.lcut(t) for t in TEXTS]

    for i in range(n):
        # the payload, without the file's CRC: the layout checks alone
        d = Dictionary()
        try:
            d.loads(mutate(good))
        except ValueError:
            pass
        else:
            for t in TEXTS:
                d.cut(t, cut_all=True)
                try:
                    d.cut(t)
                except ValueError:
                    pass    # a frequency or total made <= 0: jieba's math domain error
            d.dumps()
        # the cache file: rebuilt unless the damage is harmless
        with open(cache, "wb") as f:
            f.write(mutate(cache_bytes))
        t = Tokenizer(source)
        t.tmp_dir = tmp_dir
        t.initialize()
        assert [t.lcut(x) for x in TEXTS] == expected and t.total == reference.total, i
        assert t.dictionary_core.dumps() == good, i
        # a pickle from another machine
        try:
            u = pickle.loads(mutate(changed_pickle))
        except Exception:
            continue
        if isinstance(u, Tokenizer):
            try:
                cuts = [u.lcut(x) for x in TEXTS]
            except Exception:
                continue
            if u.dictionary == changed.dictionary and u.initialized:
                assert cuts == changed_cuts, i
    assert open(cache, "rb").read() == cache_bytes   # rewritten as it was
    print("ok")
''')


def _run(child_env, tmp_path, n):
    source = tmp_path / "dict.txt"
    source.write_text("中国 100 ns\n中国人 30 n\n人民 50\n人 20\n民 0\n北京 40\n京 5\nab 3\n创新办 3 i\n",
                      encoding="utf-8")
    user = tmp_path / "user.txt"
    user.write_text(USER_DICT, encoding="utf-8")
    script = tmp_path / "fuzz.py"
    script.write_text(FUZZ, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), str(source), str(tmp_path), str(user), str(n)],
                         cwd=tmp_path, env=child_env, capture_output=True, text=True, timeout=None)
    assert run.returncode == 0 and run.stdout.strip() == "ok", (run.returncode, run.stderr[-3000:])


def test_damaged_caches_and_pickles(child_env, tmp_path):
    _run(child_env, tmp_path, 300)


@pytest.mark.slow
def test_damaged_caches_and_pickles_long(child_env, tmp_path):
    _run(child_env, tmp_path, 100_000)
