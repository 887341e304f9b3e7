# SPDX-License-Identifier: MIT
"""`python -m mlstack ARGS`: runs the mlstack binary with ARGS (exec, the same process)."""
import sys

from mlstack import main

sys.exit(main())
