"""Build the Cython extensions of fastcount.

Every ``.pyx`` under ``fastcount/`` (subpackages included) becomes one
extension module named after its path, so a new Cython module needs no edit
here. Extensions compile in parallel, without debug information; an
in-place build byte-compiles the package's Python modules too.

Importing this file builds nothing (tests/test_build.py checks the flags and
the extension list); running it, as pip and ``python setup.py`` do, builds.
"""
import glob
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

if sys.platform == "win32":
    COMPILE_ARGS = ["/O2"]
    LINK_ARGS = []
else:
    # No -ffast-math, ever: it reorders floating-point sums, and the
    # segmenter must reproduce jieba's log-probability sums bit for bit.
    # -g0 overrides the interpreter's -g: debug information made the
    # installed extensions several times their code's size.
    COMPILE_ARGS = ["-O3", "-fno-strict-aliasing", "-g0"]
    LINK_ARGS = ["-Wl,-S"] if sys.platform.startswith("linux") else []
    if os.environ.get("FASTCOUNT_NATIVE"):
        # Local builds only: wheels must run on any CPU of their platform.
        COMPILE_ARGS.append("-march=native")

#: The package's folder, beside this file.
PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fastcount")

COMPILER_DIRECTIVES = {
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
}


class ParallelBuildExt(build_ext):
    """build_ext that compiles the extensions on every core unless ``-j`` says otherwise."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1

    def run(self):
        super().run()
        if self.inplace:
            # A checkout built in place is run as it is: byte-compile its modules,
            # as pip does when it installs a package, or every start of the
            # command compiles them again where bytecode is not written
            # (PYTHONDONTWRITEBYTECODE, a read-only checkout).
            import compileall

            compileall.compile_dir(PACKAGE_DIR, quiet=1)


def module_name(path: str) -> str:
    """fastcount/segmenter/_x.pyx -> fastcount.segmenter._x"""
    return os.path.splitext(path)[0].replace(os.sep, ".")


def extensions(root: str = ".") -> list:
    """One Extension per ``.pyx`` under ``fastcount/``, paths relative to ``root``."""
    pattern = os.path.join(root, "fastcount", "**", "*.pyx")
    found = [os.path.relpath(p, root) for p in glob.glob(pattern, recursive=True)]
    return [
        Extension(
            module_name(path),
            [path],
            extra_compile_args=COMPILE_ARGS,
            extra_link_args=LINK_ARGS,
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        )
        for path in sorted(found)
    ]


def main():
    """Cythonize (in parallel) and build."""
    from Cython.Build import cythonize

    setup(
        cmdclass={"build_ext": ParallelBuildExt},
        ext_modules=cythonize(extensions(), language_level=3, nthreads=os.cpu_count() or 1,
                              compiler_directives=COMPILER_DIRECTIVES),
    )


if __name__ == "__main__":
    main()
