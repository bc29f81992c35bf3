"""Packaging: the wheel ships templates and static files, maps plugins/ to an unambiguous
name, and both a regular and an editable install work in a fresh virtual environment."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def package_folders() -> set[str]:
    """Import names of every folder with an ``__init__.py`` under the mapped source folders."""
    mapping = {"facilitator": "facilitator", "plugins": "facilitator_plugins", "templates": "facilitator_templates"}
    found = set()
    for folder, name in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *relative)))
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel once (no network: the build runs in this environment)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--skip-dependency-check",
                    "--outdir", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    [built] = out.glob("*.whl")
    return built


def test_every_package_folder_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert package_folders() == listed


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert "plugins" not in tops and "templates" not in tops
    assert {"facilitator", "facilitator_plugins", "facilitator_templates"} <= tops
    for required in ("facilitator_templates/base.html", "facilitator_templates/live/participant.html",
                     "facilitator_templates/facilitator/dashboard.html",
                     "facilitator/static/js/socket.io.min.js", "facilitator/static/css/app.css",
                     "facilitator_plugins/dotvoting/templates/dotvoting/participant.html",
                     "facilitator_plugins/fishbowl/templates/fishbowl/projector.html"):
        assert required in names, required
    assert any(n.startswith("facilitator/translations/de/") and n.endswith(".mo") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[facilitator]" in text and "facilitator_plugins.dotvoting" in text


SMOKE = """
import facilitator, facilitator_plugins, facilitator_templates, sys
from facilitator.app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "x"})
core = app.extensions["facilitator"]
w = core.workshops.create({"title": "Smoke"})
client = app.test_client()
assert client.get("/j/" + w["join_code"]).status_code == 200
assert client.get("/static/js/socket.io.min.js").status_code == 200
assert sorted(core.methods) == ["dotvoting", "fishbowl", "roundtable", "twinning"], sorted(core.methods)
print(facilitator.__file__)
print(facilitator_plugins.__file__)
"""


@pytest.mark.parametrize("editable", [False, True], ids=["regular", "editable"])
def test_fresh_install_works(tmp_path, wheel, editable):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # The dependencies come from the environment running the tests (no network needed),
    # appended after the fresh venv's own site-packages: only this package is new.
    # A path added by a .pth line is not a site dir, so that environment's own editable
    # install of facilitator (a .pth hook there) stays inactive in the new venv.
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   check=True, capture_output=True, text=True).stdout.strip()
    Path(site_packages, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    target = ["-e", str(ROOT)] if editable else [str(wheel)]
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", *target],
                   check=True, capture_output=True, timeout=300, cwd=tmp_path)
    result = subprocess.run([str(python), "-c", SMOKE], check=False, capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    core_file, plugins_file = result.stdout.split()
    if editable:
        assert plugins_file == str(ROOT / "plugins" / "__init__.py")
    else:
        assert str(env_dir) in core_file and str(env_dir) in plugins_file
        assert not (Path(core_file).parent.parent / "plugins").exists()
    listing = subprocess.run([str(env_dir / "bin" / "facilitator"), "plugins"], check=True, capture_output=True,
                             text=True, timeout=60, cwd=tmp_path)
    assert "dotvoting" in listing.stdout and "fishbowl" in listing.stdout
