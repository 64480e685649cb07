"""Build the Cython extensions of fastcount.

Every ``fastcount/*.pyx`` becomes one extension module, so a new Cython
module needs no edit here.
"""
import glob
import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

if sys.platform == "win32":
    compile_args = ["/O2"]
else:
    # No -ffast-math, ever: it reorders floating-point sums, and the
    # segmenter must reproduce jieba's log-probability sums bit for bit.
    compile_args = ["-O3", "-fno-strict-aliasing"]
    if os.environ.get("FASTCOUNT_NATIVE"):
        # Local builds only: wheels must run on any CPU of their platform.
        compile_args.append("-march=native")

extensions = [
    Extension(
        "fastcount." + os.path.splitext(os.path.basename(path))[0],
        [path],
        extra_compile_args=compile_args,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    for path in sorted(glob.glob(os.path.join("fastcount", "*.pyx")))
]

setup(
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
