"""Packaging (issue #12 item 9): what the build gives, checked cheaply, without building.

The installed extensions carry no debug sections and meet the manylinux_2_17
policy that the release wheels claim (.ci/wheels); setup.py builds every
``.pyx`` under fastcount/, cythonizes and compiles in parallel, with release
flags.
"""

import os
import platform
import re
import sys
import types
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import pytest

import elfinfo
import fastcount

PACKAGE = Path(fastcount.__file__).resolve().parent
ROOT = Path(__file__).resolve().parent.parent

# Libraries the manylinux2014 (manylinux_2_17) policy lets an extension link;
# libpython is not among them (the interpreter provides its symbols).
MANYLINUX_LIBRARIES = {"libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0", "libutil.so.1",
                       "libnsl.so.1", "libresolv.so.2", "libgcc_s.so.1", "libstdc++.so.6"}
MANYLINUX_GLIBC = (2, 17)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF extensions: Linux only")


def extension_files():
    """The compiled extension modules of the fastcount that the tests import."""
    found = sorted(p for p in PACKAGE.rglob("*") if p.name.endswith(tuple(EXTENSION_SUFFIXES)))
    assert found, f"no compiled extension under {PACKAGE}"
    return found


def load_setup():
    """setup.py as a module (importing it builds nothing)."""
    path = ROOT / "setup.py"
    if not path.is_file():
        pytest.skip("no setup.py beside the tests (not a source checkout)")
    pytest.importorskip("setuptools", reason="setuptools is not installed (Python 3.12+ venvs lack it)")
    spec = spec_from_file_location("fastcount_setup_under_test", path)
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@linux_only
def test_extensions_have_no_debug_sections():
    """-g0 and -Wl,-S: the 4.3 MB wheel of debug information was issue #12 item 9."""
    for path in extension_files():
        debug = [s for s in elfinfo.read(path).sections if s.startswith((".debug", ".zdebug"))]
        assert not debug, f"{path.name} carries debug sections {debug}"


@linux_only
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="manylinux is a glibc policy")
def test_extensions_meet_the_manylinux_2_17_policy():
    """What auditwheel checks before it tags a wheel manylinux_2_17 (.ci/wheels): only the
    policy's libraries, no glibc symbol version newer than 2.17."""
    for path in extension_files():
        info = elfinfo.read(path)
        assert set(info.needed) <= MANYLINUX_LIBRARIES, f"{path.name} links {sorted(info.needed)}"
        for library, versions in info.versions.items():
            for version in filter(lambda v: v.startswith("GLIBC_"), versions):
                m = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", version)
                assert m and (int(m[1]), int(m[2])) <= MANYLINUX_GLIBC, (
                        f"{path.name} needs {version} from {library}: a wheel built here could not be "
                        "manylinux_2_17; avoid the call or build release wheels in the manylinux container")


def test_setup_builds_every_pyx_in_parallel_with_release_flags(monkeypatch):
    """setup.py run as pip runs it, with Cython and setup() stood in for: every .pyx under
    fastcount/ becomes its module, cythonized on every core, compiled by ParallelBuildExt."""
    setup_py = load_setup()
    calls = {}

    def cythonize(extensions, **options):
        calls["cythonize"] = options
        return extensions

    build = types.ModuleType("Cython.Build")
    build.cythonize = cythonize
    monkeypatch.setitem(sys.modules, "Cython", types.ModuleType("Cython"))
    monkeypatch.setitem(sys.modules, "Cython.Build", build)
    monkeypatch.setattr(setup_py, "setup", lambda **kw: calls.update(setup=kw))
    monkeypatch.chdir(ROOT)
    setup_py.main()

    expected = {".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "fastcount").rglob("*.pyx")}
    built = calls["setup"]["ext_modules"]
    assert expected and {e.name for e in built} == expected
    assert calls["setup"]["cmdclass"]["build_ext"] is setup_py.ParallelBuildExt
    assert calls["cythonize"]["nthreads"] == (os.cpu_count() or 1)
    for ext in built:
        flags = ext.extra_compile_args + ext.extra_link_args
        assert not {"-ffast-math", "-Ofast"} & set(flags)  # jieba's float sums, bit for bit
        if sys.platform != "win32":
            assert "-g0" in ext.extra_compile_args  # after the interpreter's own -g
        if sys.platform.startswith("linux"):
            assert "-Wl,-S" in ext.extra_link_args


def test_build_ext_uses_every_core_unless_told():
    setup_py = load_setup()
    from setuptools.dist import Distribution

    default = setup_py.ParallelBuildExt(Distribution())
    default.ensure_finalized()
    assert default.parallel == (os.cpu_count() or 1)
    told = setup_py.ParallelBuildExt(Distribution())
    told.parallel = 1  # python setup.py build_ext -j 1
    told.ensure_finalized()
    assert told.parallel == 1


@pytest.mark.parametrize("inplace", [True, False])
def test_build_ext_inplace_byte_compiles_the_package(monkeypatch, inplace):
    """An in-place build leaves bytecode beside the modules, as an install does:
    the command's start no longer compiles them (PYTHONDONTWRITEBYTECODE)."""
    import compileall

    from setuptools.command.build_ext import build_ext
    from setuptools.dist import Distribution

    setup_py = load_setup()
    compiled = []
    monkeypatch.setattr(build_ext, "run", lambda self: None)
    monkeypatch.setattr(compileall, "compile_dir", lambda path, **kw: compiled.append(path))
    cmd = setup_py.ParallelBuildExt(Distribution())
    cmd.inplace = inplace
    cmd.ensure_finalized()
    cmd.run()
    assert compiled == ([str(ROOT / "fastcount")] if inplace else [])
