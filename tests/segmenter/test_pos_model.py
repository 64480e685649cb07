"""jieba.posseg's HMM in C (``fastcount.segmenter._pos_hmm``) against
jieba.posseg's own Viterbi, and the compiled model's cache file
(``fastcount.segmenter.pos_loading``)."""

import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P
from jieba.posseg.viterbi import viterbi
from pos_cases import HAN, HAN_RUNS, IN_TABLE

from fastcount.segmenter import pos_loading
from fastcount.segmenter._pos_hmm import PosModel, compile_tables, layout

TABLES = (char_state_tab_P, start_P, trans_P, emit_P)


@pytest.fixture(scope="module")
def model():
    return pos_loading.load_model()


def jieba_states(text):
    return viterbi(text, char_state_tab_P, start_P, trans_P, emit_P)[1]


def test_characters_alone(model):
    # every character of the table, and every 7th Han character
    for c in IN_TABLE + HAN[::7]:
        assert model.viterbi(c) == jieba_states(c), c


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=HAN_RUNS)
def test_runs_as_jiebas(model, text):
    assert model.viterbi(text) == jieba_states(text)


def test_long_run(model):
    text = "".join(IN_TABLE[i * 7919 % len(IN_TABLE)] for i in range(400))
    assert model.viterbi(text) == jieba_states(text)


def test_compiled_bytes_round_trip(model):
    data = compile_tables(*TABLES)
    assert PosModel(data).dumps() == data == model.dumps()
    assert model.tags[:3] == ("a", "ad", "ag") and len(model.tags) == 64


@pytest.mark.parametrize("damage", ["truncated", "magic", "shape", "state", "offsets", "order",
                                    "letter", "tag", "names"])
def test_damaged_bytes_are_refused(model, damage):
    data = bytearray(model.dumps())
    sections = layout(data)
    if damage == "truncated":
        data = data[:-1]
    elif damage == "magic":
        data[0] ^= 1
    elif damage == "shape":
        data[8:12] = bytes(4)                               # no states
    elif damage == "state":
        data[sections["em_first"][0] + 4 * 9 + 3] = 0x80   # em_first[9] < 0
    elif damage == "offsets":
        data[sections["in_first"][0] + 4 + 3] = 0x7F       # in_first[1], far out
    elif damage == "order":
        at = sections["in_from"][0]                         # two sources of a transition swapped
        data[at], data[at + 1] = data[at + 1], data[at]
    elif damage == "letter":
        data[sections["state_letter"][0]] = 4
    elif damage == "tag":
        data[sections["state_tag"][0]:sections["state_tag"][0] + 2] = b"\xff\xff"
    elif damage == "names":
        data[-1:] = b"\n"
    with pytest.raises(ValueError):
        PosModel(bytes(data))


def test_mutated_bytes_never_crash(model, tmp_path):
    # a damaged cache file must not crash the interpreter: load mutated
    # copies and run the Viterbi over whatever loads, in a child process
    path = tmp_path / "model.bin"
    path.write_bytes(model.dumps())
    script = textwrap.dedent(f"""
        import random
        from fastcount.segmenter._pos_hmm import PosModel
        good = open({str(path)!r}, "rb").read()
        rng = random.Random(7)
        text = "".join(chr(c) for c in range(0x4E00, 0x9FD6, 97))
        loaded = 0
        for i in range(300):
            data = bytearray(good)
            for _ in range(rng.choice([1, 2, 8, 64])):
                data[rng.randrange(len(data))] = rng.randrange(256)
            if i % 10 == 0:
                data = data[:rng.randrange(len(data))]
            try:
                m = PosModel(bytes(data))
            except ValueError:
                continue
            loaded += 1
            m.viterbi(text)
            m.viterbi(text[:3])
        print("loaded", loaded)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout


def test_unsupported_tables():
    with pytest.raises(ValueError, match="states"):
        compile_tables({}, {}, {("B", str(i)): {} for i in range(257)}, {})
    with pytest.raises(ValueError, match="pair"):
        compile_tables({}, {"B": 0.0}, {"B": {}}, {"B": {}})
    with pytest.raises(ValueError, match="unknown state"):
        compile_tables({}, {("B", "n"): 0.0}, {("B", "n"): {("E", "n"): -1.0}}, {("B", "n"): {}})
    with pytest.raises(ValueError, match="every state"):
        compile_tables({}, {}, {("B", "n"): {}}, {("B", "n"): {}})


def test_cache_file(tmp_path, monkeypatch):
    first = pos_loading.read_model(str(tmp_path))
    (cache,) = tmp_path.glob("fastcount.posseg.*.cache")
    # the second load reads the cache: it compiles nothing
    monkeypatch.setattr(pos_loading, "compile_tables", None)
    assert pos_loading.read_model(str(tmp_path)).dumps() == first.dumps()
    monkeypatch.undo()
    # a damaged cache is compiled again and rewritten
    data = cache.read_bytes()
    cache.write_bytes(data[:-10])
    assert pos_loading.read_model(str(tmp_path)).dumps() == first.dumps()
    assert cache.read_bytes() == data
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".fastcount-")]
