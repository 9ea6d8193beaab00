# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of "make htmldocs": the kernel's own kernel-doc
# extension and script, from the kernel source in $KSRC, read this tree's
# sources the way the kernel's documentation build reads the kernel's.

import os
import sys

ksrc = os.environ["KSRC"]
sys.path.insert(0, os.path.join(ksrc, "Documentation", "sphinx"))

project = "syncmap"
extensions = ["kerneldoc"]
kerneldoc_bin = os.path.join(ksrc, "scripts", "kernel-doc")
kerneldoc_srctree = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
master_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"
