"""``fastcount.jieba`` stands in for ``import jieba``: the same module-level
calls on both give the same results, state changes included (#12 items 2-4).

The calls change the default tokenizers of both modules, so they run in a
child process."""

import ast
import subprocess
import sys
import textwrap

from jieba_cases import DATA, USER_DICT

# dir(jieba) minus dir(fastcount.jieba): jieba's private helpers, Python 2
# compatibility, the modules it imports, its regexes, logger, parallel pool
# and paddle mode. Everything else of jieba's module API is here.
NOT_COVERED = {
    "DICT_WRITING", "PY2", "_compat", "_get_abs_path", "_lcut", "_lcut_all", "_lcut_for_search",
    "_lcut_for_search_no_hmm", "_lcut_no_hmm", "_pcut", "_pcut_for_search", "_replace_file",
    "absolute_import", "check_paddle_install", "default_encoding", "default_logger", "enable_paddle",
    "get_module_res", "iteritems", "iterkeys", "itervalues", "log", "log_console", "logging",
    "marshal", "md5", "pool", "re", "re_eng", "re_han_default", "re_skip_default", "re_userdict",
    "resolve_filename", "strdecode", "string_types", "tempfile", "text_type", "threading",
    "time", "unicode_literals", "xrange",
}
# jieba._compat imports pkg_resources only where setuptools provides it
OPTIONAL_IMPORTS = {"pkg_resources"}


def test_what_is_not_covered(child_env, tmp_path):
    # in a fresh process: what other tests import would add submodules to dir(jieba)
    code = ("import jieba, fastcount.jieba as fj\n"
            "print(sorted({n for n in dir(jieba) if not n.startswith('__')} - set(dir(fj))))")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=child_env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert set(ast.literal_eval(run.stdout)) - OPTIONAL_IMPORTS == NOT_COVERED


PARITY = textwrap.dedent('''
    import inspect, io, logging, os, sys
    import numpy as np
    import jieba
    import fastcount
    import fastcount.jieba as fj

    jieba.setLogLevel(logging.WARNING)
    fj.setLogLevel(logging.WARNING)
    data, user_dict, small_dict = sys.argv[1:4]
    lines = open(data, encoding="utf-8").read().split("\\n")[:120]
    TEXTS = ["李小福是创新办主任也是云计算方面的专家; 什么是八一双鹿", "如果放到post中将出错。",
             "台中", "石墨烯和凱特琳在中国", "永和服装饰品有限公司，研究生命起源", " 中国 ", ""]


    class Sub(str):
        pass


    def call(module, name, args, kw):
        try:
            result = getattr(module, name)(*args, **kw)
            return list(result) if inspect.isgenerator(result) else result
        except Exception as e:
            return ("raised", type(e).__name__)


    def same(name, *args, **kw):
        a, b = call(jieba, name, args, kw), call(fj, name, args, kw)
        assert a == b, (name, args, kw, a, b)
        return b


    def same_cuts(texts):
        for t in texts:
            for args in [(), (True,), (False, False)]:
                same("lcut", t, *args)
            same("cut", t, HMM=False)
            same("lcut_for_search", t)
            same("cut_for_search", t, False)
            same("tokenize", t)
            same("tokenize", t, "search")
            same("tokenize", t, mode="search", HMM=False)
        assert jieba.user_word_tag_tab == fj.user_word_tag_tab
        assert jieba.dt.total == fj.dt.total


    def same_freqs(words):
        for w in words:
            same("get_FREQ", w)
            same("get_FREQ", w, -1)
            same("suggest_freq", w)


    same_cuts(TEXTS + lines)
    same_freqs(["中国", "不存在的词", "台中", "", 5, ("a",)])
    same("get_FREQ", ["unhashable"])
    for t in TEXTS[:3]:
        same("get_DAG", t)
        ra, rb = {}, {}
        jieba.calc(t, jieba.get_DAG(t), ra)
        fj.calc(t, fj.get_DAG(t), rb)
        assert ra == rb, t
    with jieba.get_dict_file() as a, fj.get_dict_file() as b:
        assert a.read() == b.read()

    # str subclasses and bytes, wherever jieba takes them (#12 item 3)
    for kind in (Sub, np.str_):
        text = kind(TEXTS[0])
        for name in ["lcut", "cut", "lcut_for_search", "cut_for_search", "tokenize", "get_DAG"]:
            same(name, text)
        same("get_FREQ", kind("中国"))
        same("suggest_freq", kind("台中"))
        same("suggest_freq", (kind("中"), kind("将")))
    same("lcut", TEXTS[0].encode("utf-8"))
    same("lcut", TEXTS[0].encode("gbk"))
    same("tokenize", TEXTS[0].encode("utf-8"))          # ValueError on both

    # changes
    same("add_word", Sub("石墨烯"))
    same("add_word", np.str_("凱特琳"), 7, "nz")
    same("add_word", "清华大", "1")
    same("del_word", Sub("中国"))
    same("del_word", "北京大学")
    same("suggest_freq", ("中", "将"), True)
    same("suggest_freq", Sub("台中"), True)
    same("add_word", "坏频率", "abc")                   # ValueError on both
    same_cuts(TEXTS + lines[:40])
    same_freqs(["石墨烯", "凱特琳", "清华大", "中国", "中将", "台中"])

    # load_userdict: a path, a binary file (left open), text lines, bytes lines, a generator (#12 item 4)
    same("load_userdict", user_dict)
    body = "\\ufeff韩玉赏鉴 3 nz\\n\\n  自定义词 5\\n"
    for make in (lambda: io.BytesIO(body.encode("utf-8")), lambda: io.StringIO(body),
                 lambda: body.splitlines(), lambda: [l.encode("utf-8") for l in body.splitlines()],
                 lambda: (l for l in body.splitlines())):
        a, b = make(), make()
        jieba.load_userdict(a)
        fj.load_userdict(b)
        assert not getattr(b, "closed", False), "the caller's file was closed"
    same_cuts(TEXTS + lines[:40])
    same_freqs(["韩玉赏鉴", "自定义词", "云计算", "台中"])

    # fastcount.lcut and count_words(tokenizer="jieba") use this module's dt
    assert all(fastcount.lcut(t) == jieba.lcut(t) for t in TEXTS)
    want = {}
    for t in TEXTS:
        for w in jieba.lcut(t):
            if not w.isspace():
                want[w] = want.get(w, 0) + 1
    assert dict(fastcount.count_words(TEXTS, workers=1)) == want

    enable = same("enable_parallel", 2)
    same_cuts(TEXTS)
    same("disable_parallel")

    # another dictionary: user tags stay, as jieba keeps them (#12 item 4)
    same("set_dictionary", small_dict)
    same("initialize")
    same_cuts(TEXTS)
    same("set_dictionary", small_dict + ".missing")     # Exception on both
    print("ok")
''')

SMALL_DICT = "中国 100 ns\n中国人 30 n\n人民 50\n人 20\n北京 40\n京 5\n专家 10 n\n"


def test_module_functions_equal_jiebas(child_env, tmp_path):
    user_dict = tmp_path / "user.txt"
    user_dict.write_text(USER_DICT, encoding="utf-8")
    small_dict = tmp_path / "small.txt"
    small_dict.write_text(SMALL_DICT, encoding="utf-8")
    script = tmp_path / "parity.py"
    script.write_text(PARITY, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), DATA, str(user_dict), str(small_dict)],
                         cwd=tmp_path, env=child_env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and run.stdout.strip() == "ok", (run.stdout[-3000:], run.stderr[-3000:])
