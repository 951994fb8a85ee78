"""Unit tests need no site: put the repository root on sys.path so `cims_app.domain` imports without one."""

import os
import sys
from pathlib import Path

from hypothesis import settings

REPO_ROOT = str(Path(__file__).resolve().parents[2])
if REPO_ROOT not in sys.path:
	sys.path.insert(0, REPO_ROOT)

# No example database: nothing written into the repository, every run starts fresh.
# CIMS_HYPOTHESIS_EXAMPLES=5000 runs the property tests harder than the default 100 examples.
settings.register_profile(
	"cims_unit", database=None, max_examples=int(os.environ.get("CIMS_HYPOTHESIS_EXAMPLES", "100"))
)
settings.load_profile("cims_unit")
