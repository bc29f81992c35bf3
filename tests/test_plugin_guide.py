"""docs/plugins.md is a working guide: its mood-check method, built from the page alone, passes its test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def _block(first_line: str) -> str:
    """The ```python block of the guide that starts with ``first_line``."""
    for body in re.findall(r"```python\n(.*?)```", GUIDE, flags=re.DOTALL):
        if body.startswith(first_line):
            return body
    raise AssertionError(f"docs/plugins.md has no python block starting with {first_line!r}")


def test_the_guides_method_runs_and_its_test_passes(tmp_path):
    package = tmp_path / "moodcheck"
    (package / "templates" / "moodcheck").mkdir(parents=True)
    (package / "__init__.py").write_text(_block("# moodcheck/__init__.py"))
    (package / "method.py").write_text(_block("# moodcheck/method.py"))
    (package / "rules.py").write_text(_block("# moodcheck/rules.py"))
    for role in ("participant", "facilitator", "projector"):
        (package / "templates" / "moodcheck" / f"{role}.html").write_text("<p>{{ view.question }}</p>")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_moodcheck.py").write_text(_block("import pytest\nfrom facilitator import ActionError"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         str(tests)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
        env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
