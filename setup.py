"""Build the Cython extensions of fastcount.

Every ``.pyx`` under ``fastcount/`` (subpackages included) becomes one
extension module named after its path, so a new Cython module needs no edit
here. Extensions compile in parallel, without debug information.
"""
import glob
import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

if sys.platform == "win32":
    compile_args = ["/O2"]
    link_args = []
else:
    # No -ffast-math, ever: it reorders floating-point sums, and the
    # segmenter must reproduce jieba's log-probability sums bit for bit.
    # -g0 overrides the interpreter's -g: debug information made the
    # installed extensions several times their code's size.
    compile_args = ["-O3", "-fno-strict-aliasing", "-g0"]
    link_args = ["-Wl,-S"] if sys.platform.startswith("linux") else []
    if os.environ.get("FASTCOUNT_NATIVE"):
        # Local builds only: wheels must run on any CPU of their platform.
        compile_args.append("-march=native")


class ParallelBuildExt(build_ext):
    """build_ext that compiles the extensions on every core unless ``-j`` says otherwise."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1


def module_name(path: str) -> str:
    return os.path.splitext(path)[0].replace(os.sep, ".")


extensions = [
    Extension(
        module_name(path),
        [path],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    for path in sorted(glob.glob(os.path.join("fastcount", "**", "*.pyx"), recursive=True))
]

setup(
    cmdclass={"build_ext": ParallelBuildExt},
    ext_modules=cythonize(
        extensions,
        language_level=3,
        nthreads=os.cpu_count() or 1,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    ),
)
