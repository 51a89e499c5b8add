"""Generates the verdict.v1 stubs from ../../proto before setuptools looks for the packages
(the metadata step already needs verdict/v1 to exist), then installs as pyproject.toml says."""
import os
import runpy

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
# Loaded by path: importing the `verdict` package needs the stubs this generates.
runpy.run_path(os.path.join(HERE, "verdict", "_codegen.py"))["ensure"](
    os.path.join(HERE, "..", "..", "proto"), HERE)

setup()
