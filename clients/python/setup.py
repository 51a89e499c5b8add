"""Generates the verdict.v1 stubs from ../../proto when the package is built or installed."""
import os
import runpy

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildWithProtos(build_py):
    def run(self):
        # Loaded by path: importing the `verdict` package needs the stubs this generates.
        codegen = runpy.run_path(os.path.join(HERE, "verdict", "_codegen.py"))
        codegen["generate"](os.path.join(HERE, "..", "..", "proto"), HERE)
        super().run()


setup(cmdclass={"build_py": BuildWithProtos})
