"""Rules of the design that a refactoring must not break: public API, pure modules, parts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import facilitator

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_SOURCES = sorted(p for p in (ROOT / "plugins").rglob("*.py"))


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[0] == "plugins":
        parts[0] = "facilitator_plugins"
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _says_pure(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    return "no flask" in doc.casefold() or path.name == "rules.py"


PURE_MODULES = sorted(
    _module_name(p)
    for p in [*(ROOT / "facilitator").rglob("*.py"), *PLUGIN_SOURCES]
    if _says_pure(p)
)


def test_the_pure_modules_are_found():
    # The parts of the core and the rule modules of both methods are among them.
    for name in ("facilitator.core", "facilitator.engine", "facilitator.workshops", "facilitator.people",
                 "facilitator.ledger", "facilitator.fields", "facilitator.methods",
                 "facilitator_plugins.dotvoting.rules", "facilitator_plugins.fishbowl.rules"):
        assert name in PURE_MODULES


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_flask(module):
    """Imported alone in a fresh interpreter, the module loads neither Flask nor Werkzeug."""
    probe = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug', 'flask_babel', "
        "'flask_socketio', 'jinja2')); print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"


def _facilitator_imports(path: Path) -> list[str]:
    """Modules of the core that ``path`` imports (``facilitator`` itself included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "facilitator":
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "facilitator"]
    return found


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_bundled_plugins_import_only_the_public_api(path):
    """A bundled plugin is written like a third-party one: ``from facilitator import ...`` only."""
    private = [name for name in _facilitator_imports(path) if name != "facilitator"]
    assert private == [], f"{path.relative_to(ROOT)} imports {private}; export it from facilitator/__init__.py"


def test_public_api_names_exist_and_are_documented():
    for name in facilitator.__all__:
        value = getattr(facilitator, name)
        if callable(value) and not name.startswith("_") and name != "hookimpl":
            assert value.__doc__, f"facilitator.{name} has no docstring"


def test_core_is_composed_of_explicit_parts():
    """The core is a composition, not a stack of mixins reaching into each other."""
    from facilitator.core import Core

    assert Core.__bases__ == (object,)
    source = (ROOT / "facilitator" / "core.py").read_text(encoding="utf-8")
    assert "Mixin" not in source
