"""Builds the test-only Cython module ``tests/native_hooks.pyx`` on first use.

The hooks expose fastcount's native helpers (``fastcount/_native.pxd``) and
the byte-level Vocab C API to Python for the tests; they are compiled here,
against the fastcount being tested, and are never part of the package. A
build is cached under ``build/test-hooks/`` by the hash of its inputs.
"""

import hashlib
import importlib.util
import os
import sys

import pytest

import fastcount

HERE = os.path.dirname(os.path.abspath(__file__))


def _inputs():
    """The files the hooks are built from: their source and fastcount's .pxd files."""
    package = os.path.dirname(os.path.abspath(fastcount.__file__))
    pxds = sorted(os.path.join(package, f) for f in os.listdir(package) if f.endswith(".pxd"))
    return package, [os.path.join(HERE, "native_hooks.pyx"), *pxds]


def load():
    """The built ``native_hooks`` module (skips the test when Cython is missing)."""
    pytest.importorskip("Cython", reason="the native test hooks are compiled with Cython")
    from Cython.Build import cythonize
    from setuptools import Extension
    from setuptools.command.build_ext import build_ext
    from setuptools.dist import Distribution

    package, files = _inputs()
    digest = hashlib.sha256(sys.version.encode() + package.encode())
    for path in files:
        with open(path, "rb") as f:
            digest.update(f.read())
    out = os.path.join(os.path.dirname(HERE), "build", "test-hooks", digest.hexdigest()[:16])
    if not os.path.isdir(out) or not any(n.startswith("native_hooks.") for n in os.listdir(out)):
        ext = Extension("native_hooks", [files[0]],
                        extra_compile_args=[] if sys.platform == "win32" else ["-O1", "-g0"])
        dist = Distribution({"ext_modules": cythonize(
            [ext], include_path=[os.path.dirname(package)], build_dir=os.path.join(out, "c"),
            language_level=3, quiet=True)})
        cmd = build_ext(dist)
        cmd.build_lib = out
        cmd.build_temp = os.path.join(out, "tmp")
        cmd.ensure_finalized()
        cmd.run()
    name = next(n for n in os.listdir(out) if n.startswith("native_hooks.") and not n.endswith(".c"))
    spec = importlib.util.spec_from_file_location("native_hooks", os.path.join(out, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
