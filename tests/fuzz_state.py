"""Mutation fuzzing of what fastcount loads from outside: pickles of
HashCounter, Vocab and Counter (they come from disk and from other machines)
and Vocab text files.

Run as a script, in a child process, so that a crash shows as a signal
instead of ending the test run::

    python fuzz_state.py KIND CASES SEED

KIND is one of KINDS. Half the cases mutate the bytes of genuine pickles
(loaded with an unpickler that allows only the globals those pickles use),
half mutate the unpickled state itself (its byte strings, lists and
numbers) and hand it to the class's own rebuild function, which must then
raise ValueError, TypeError or OverflowError naming the problem, or build an
object that is consistent. It prints a JSON summary: cases loaded, rejected
(by exception type) and failures (a wrong exception type or an inconsistent
object, with the input that caused it).
"""

import io
import json
import os
import pickle
import random
import sys
import tempfile

import numpy as np

from fastcount import Counter, HashCounter, Vocab
from fastcount._counter_state import getstate, setstate
from fastcount._hashcounter import _rebuild as rebuild_hashcounter
from fastcount._vocab import _unpickle_vocab

KINDS = ("hashcounter", "vocab", "counter", "vocab-file")

# What the class's own rebuild may raise for a bad state.
STATE_ERRORS = (ValueError, TypeError, OverflowError)

WORDS = ["的", "手机", "", "a", "\\", "\n", "😀", "\ud800", "x" * 300, "中文" * 50, "ab", "é"]


def genuine(kind):
    """A few genuine objects of the kind, with edge cases in them."""
    if kind == "hashcounter":
        return [HashCounter(), HashCounter([0, -1, 2**63 - 1, -(2**63), 7, 7]),
                HashCounter(np.arange(300) << 20), HashCounter({5: 0, 6: -3})]
    if kind in ("vocab", "vocab-file"):
        return [Vocab(), Vocab(WORDS), Vocab(f"w{i}" for i in range(200))]
    big = Counter(f"w{i % 97}" for i in range(1000))
    big[(1, 2)] = 3
    big[None] = -5
    del big["w3"]
    return [Counter(), Counter(WORDS + [1, 2.5, (3,), "a"] * 2), big]


def mutate_bytes(rng, data):
    """Bytes with a few random edits: set, flip, insert, delete, truncate, repeat a span."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(("set", "flip", "insert", "delete", "truncate", "repeat"))
        if not b and op != "insert":
            op = "insert"
        i = rng.randrange(len(b) + (op == "insert"))
        if op == "set":
            b[i] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)))
        elif op == "flip":
            b[i] ^= 1 << rng.randrange(8)
        elif op == "insert":
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3)))
        elif op == "delete":
            del b[i:i + rng.randint(1, 3)]
        elif op == "truncate":
            del b[i:]
        else:
            j = min(len(b), i + rng.randint(1, 8))
            b[i:i] = b[i:j]
    return bytes(b)


def mutate_value(rng, value, depth=0):
    """A state component changed: bytes edited, a list or tuple reshaped, a
    number moved to an edge, or a value of another type."""
    roll = rng.random()
    if roll < 0.08:
        return rng.choice((None, 0, -1, 2**63, 1.5, "x", b"", [], (), [()], [(0,)], range(2**62)))
    if isinstance(value, (bytes, bytearray)):
        return mutate_bytes(rng, value)
    if isinstance(value, np.ndarray):
        if roll < 0.3:
            return value.astype(rng.choice((np.float64, np.int8, np.uint64, object, np.bool_)))
        if roll < 0.5:
            return value[: rng.randrange(len(value) + 1)]
        if roll < 0.6:
            return value.reshape(1, -1)
        out = value.copy()
        if len(out):
            out[rng.randrange(len(out))] = rng.choice((0, -1, 2**62, -(2**63), 2**63 - 1))
        return out
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return rng.choice((value + 1, value - 1, -value, 0, 2**63 - 1, -(2**63), 2**64, 10**30))
    if isinstance(value, (list, tuple)) and depth < 3:
        items = list(value)
        op = rng.choice(("drop", "dup", "swap", "inner", "append"))
        if op == "drop" and items:
            del items[rng.randrange(len(items))]
        elif op == "dup" and items:
            items.insert(rng.randrange(len(items) + 1), rng.choice(items))
        elif op == "swap" and len(items) > 1:
            i, j = rng.sample(range(len(items)), 2)
            items[i], items[j] = items[j], items[i]
        elif op == "inner" and items:
            i = rng.randrange(len(items))
            items[i] = mutate_value(rng, items[i], depth + 1)
        else:
            items.append(rng.choice((0, "x", (0, 1), (5, 5), (10**9, 1), b"x")))
        return type(value)(items) if isinstance(value, tuple) else items
    return value


class Allowlist(pickle.Unpickler):
    """Unpickles only the globals that genuine pickles of the kind use."""

    allowed = set()
    learning = False

    def find_class(self, module, name):
        if self.learning:
            Allowlist.allowed.add((module, name))
        elif (module, name) not in Allowlist.allowed:
            raise pickle.UnpicklingError(f"global {module}.{name} not allowed")
        return super().find_class(module, name)


def loads(data, learning=False):
    u = Allowlist(io.BytesIO(data))
    u.learning = learning
    return u.load()


def check(kind, obj):
    """An inconsistency of a loaded object, or None."""
    if kind == "hashcounter":
        keys, counts = obj.to_arrays()
        if len(keys) != len(obj) or len(set(keys.tolist())) != len(keys):
            return "keys are not distinct or len() disagrees"
        if int(counts.sum(dtype=object)) != obj.total() or obj.copy() != obj:
            return "total() or copy() disagrees"
        return None if pickle.loads(pickle.dumps(obj)) == obj else "pickle round trip differs"
    if kind in ("vocab", "vocab-file"):
        words = obj.words()
        if len(set(words)) != len(words) or len(words) != len(obj):
            return "words repeat or len() disagrees"
        if obj.encode(words).tolist() != list(range(len(words))):
            return "encode(words) is not 0..n-1"
        return None if pickle.loads(pickle.dumps(obj)) == obj else "pickle round trip differs"
    items = list(obj.items())
    if len(items) != len(obj) or len(obj.most_common()) != len(obj):
        return "items(), most_common() and len() disagree"
    if obj.total() != sum(n for _, n in items):
        return "total() disagrees"
    again = pickle.loads(pickle.dumps(obj))
    return None if list(again.items()) == items else "pickle round trip differs"


def limit_memory(nbytes=4 << 30):
    """Cap this process's address space (POSIX): a mutant that declares a
    huge length then fails fast in the unpickler's own allocation instead of
    touching gigabytes of a shared machine's memory."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > nbytes:
        resource.setrlimit(resource.RLIMIT_AS, (nbytes, hard))


def run(kind, cases, seed):
    rng = random.Random(seed)
    objects = genuine(kind)
    summary = {"kind": kind, "cases": cases, "loaded": 0, "rejected": {}, "failures": []}
    if kind == "vocab-file":
        return run_files(rng, objects, cases, summary)
    pickles = [pickle.dumps(o, protocol) for o in objects for protocol in (2, 4, 5)]
    for p in pickles:
        loads(p, learning=True)
    states = [o.__reduce__()[1] for o in objects] if kind != "counter" else \
        [getstate(o) for o in objects]
    for case in range(cases):
        if case % 2 == 0:
            what = mutate_bytes(rng, rng.choice(pickles))
            # any exception is a refusal here; only a crash is not
            obj = attempt(summary, Exception, what, loads, what)
            if obj is not REFUSED and not isinstance(obj, (HashCounter, Vocab, Counter)):
                summary["loaded"] += 1
                continue
        else:
            what = mutate_value(rng, rng.choice(states))
            obj = attempt(summary, STATE_ERRORS, what, rebuild, kind, what)
        if obj is REFUSED:
            continue
        summary["loaded"] += 1
        problem = check(kind, obj)
        if problem:
            fail(summary, problem, what)
    return summary


def rebuild(kind, state):
    if kind == "hashcounter":
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError("not a pair")  # what pickle's REDUCE would refuse
        return rebuild_hashcounter(*state)
    if kind == "vocab":
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError("not a pair")
        return _unpickle_vocab(*state)
    c = Counter()
    setstate(c, state)
    return c


def run_files(rng, vocabs, cases, summary):
    texts = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "v.txt")
        for v in vocabs:
            v.save(path)
            with open(path, "rb") as f:
                texts.append(f.read())
        for _ in range(cases):
            data = mutate_bytes(rng, rng.choice(texts))
            with open(path, "wb") as f:
                f.write(data)
            v = attempt(summary, ValueError, data, Vocab.load, path)
            if v is REFUSED:
                continue
            summary["loaded"] += 1
            problem = check("vocab-file", v)
            if problem:
                fail(summary, problem, data)
    return summary


REFUSED = object()


def attempt(summary, accepted, what, fn, *args):
    """fn(*args), or REFUSED after recording the exception: a refusal when it
    is one of `accepted`, else a failure (with `what`, the input)."""
    try:
        return fn(*args)
    except accepted as e:
        reject(summary, e)
    except Exception as e:
        fail(summary, f"{type(e).__name__}: {e}", what)
    return REFUSED


def reject(summary, e):
    name = type(e).__name__
    summary["rejected"][name] = summary["rejected"].get(name, 0) + 1


def fail(summary, problem, what):
    if len(summary["failures"]) < 20:
        summary["failures"].append(f"{problem}: {what!r}"[:500])


if __name__ == "__main__":
    kind, cases, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limit_memory()
    print(json.dumps(run(kind, cases, seed)))
