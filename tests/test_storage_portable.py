"""TinyJournalStore off Linux: no ``fcntl``/``pwd``/``grp`` (as on Windows), no directory fsync.

The POSIX-only modules are hidden from a fresh interpreter (``sys.modules[name] =
None`` makes ``import name`` raise ImportError), so any import of them by the
storage makes the subprocess test fail. ``os.name == "nt"`` is simulated by
giving tinystore an ``os`` stand-in whose ``name`` is ``"nt"``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from facilitator.storage import StoreLockedError, TinyJournalStore, tinystore

REPO = Path(__file__).resolve().parents[1]

HIDE_POSIX_MODULES = """\
import sys
for _name in ("fcntl", "pwd", "grp"):
    sys.modules[_name] = None  # "import fcntl" now raises ImportError, as on Windows
"""

#: ``python -c SCRIPT open FOLDER``: try to open FOLDER, print {"opened": ...} or {"locked": msg}.
#: ``python -c SCRIPT main FOLDER``: the whole scenario, printed as one JSON report.
#: Children it starts run the same SCRIPT (so they hide the same modules).
STORE_SCRIPT = """\
import json, subprocess, sys, warnings
from pathlib import Path

warnings.simplefilter("ignore")  # filelock: "only soft file lock is available"
from facilitator.storage import StoreLockedError, TinyJournalStore

mode, folder = sys.argv[1], Path(sys.argv[2])


def try_open():
    try:
        store = TinyJournalStore(folder)
    except StoreLockedError as error:
        return {"locked": str(error)}
    try:
        return {"opened": store.all("t")}
    finally:
        store.close()


def in_child():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "open", str(folder)],
        capture_output=True, text=True, timeout=60,
    )
    return json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr}


if mode == "open":
    print(json.dumps(try_open()))
    raise SystemExit(0)

report = {"posix_modules": []}
for name in ("fcntl", "pwd", "grp"):
    try:
        __import__(name)
    except ImportError:
        continue
    report["posix_modules"].append(name)

store = TinyJournalStore(folder, checkpoint_every=3)
store.put("t", "a", {"v": 1})
store.put_many([("t", "b", {"v": 2}), ("t", "c", {"v": 3}), ("u", "x", {"v": "x"})])
store.delete("t", "c")
store.put("t", "d", {"v": 4})  # the fourth write: after a checkpoint
report["checkpoints"] = store.checkpoints
report["same_process"] = try_open()
report["other_process"] = in_child()
store.close()
report["after_close_other_process"] = in_child()
with TinyJournalStore(folder) as reopened:
    report["t"] = reopened.all("t")
    report["u"] = reopened.all("u")
    report["c"] = reopened.get("t", "c")
report["files"] = sorted(path.name for path in folder.iterdir())
print(json.dumps(report))
"""


def run_script(*args: str, hide_posix_modules: bool = True) -> dict[str, Any]:
    """Run STORE_SCRIPT in a fresh interpreter in the repository; return its JSON.

    With ``hide_posix_modules`` the script first hides fcntl, pwd and grp.
    """
    script = (HIDE_POSIX_MODULES if hide_posix_modules else "") + STORE_SCRIPT
    done = subprocess.run(
        [sys.executable, "-c", f"SCRIPT = {script!r}\n{script}", *args],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_storage_works_without_posix_only_modules(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    report = run_script("main", str(folder))
    assert report["posix_modules"] == []  # really hidden, so the storage did not use them
    assert report["checkpoints"] == 1
    # Two stores on one folder refuse each other, inside one process and across processes.
    for refused in (report["same_process"], report["other_process"]):
        assert "locked" in refused, refused
        assert str(folder) in refused["locked"]
        assert "already in use by another Facilitator server (pid " in refused["locked"]
    assert report["after_close_other_process"] == {"opened": [{"v": 1}, {"v": 2}, {"v": 4}]}
    assert report["t"] == [{"v": 1}, {"v": 2}, {"v": 4}]
    assert report["u"] == [{"v": "x"}]
    assert report["c"] is None
    assert "facilitator.pid" not in report["files"]  # removed on close


def test_other_process_is_refused_and_told_the_holders_pid(tmp_path: Path) -> None:
    store = TinyJournalStore(tmp_path)
    store.put("t", "a", {"v": 1})
    try:
        refused = run_script("open", str(tmp_path), hide_posix_modules=False)
    finally:
        store.close()
    assert str(tmp_path) in refused["locked"]
    assert f"(pid {os.getpid()})" in refused["locked"]
    assert run_script("open", str(tmp_path), hide_posix_modules=False) == {"opened": [{"v": 1}]}


def test_lock_is_released_by_a_close_on_another_thread(tmp_path: Path) -> None:
    store = TinyJournalStore(tmp_path)
    with pytest.raises(StoreLockedError):
        TinyJournalStore(tmp_path)
    closer = threading.Thread(target=store.close)
    closer.start()
    closer.join()
    TinyJournalStore(tmp_path).close()


def test_failed_pid_write_releases_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path, *args: object, **kwargs: object) -> int:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(tinystore.Path, "write_text", refuse)
        with pytest.raises(OSError, match="disk full"):
            TinyJournalStore(tmp_path)
    TinyJournalStore(tmp_path).close()


class RecordingOs:
    """tinystore's view of ``os``: the real module, another ``name``, opens recorded.

    With ``binary`` it also has a fake ``O_BINARY`` flag, stripped before the real open.
    """

    FAKE_BINARY = 1 << 30

    def __init__(self, name: str, binary: bool) -> None:
        self.name = name
        if binary:
            self.O_BINARY = self.FAKE_BINARY
        self.opens: list[tuple[Path, int]] = []

    def open(self, path: os.PathLike[str] | str, flags: int, *args: int) -> int:
        self.opens.append((Path(path), flags))
        return os.open(path, flags & ~self.FAKE_BINARY, *args)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(os, attribute)


def test_windows_skips_the_directory_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_os = RecordingOs("nt", binary=True)
    monkeypatch.setattr(tinystore, "os", fake_os)
    folder = tmp_path / "data"
    store = TinyJournalStore(folder, checkpoint_every=2)
    store.put("t", "a", {"v": 1})
    store.put_many([("t", "b", {"v": 2}), ("t", "c", {"v": 3})])  # checkpoint
    store.delete("t", "a")
    store.checkpoint()
    store.put("t", "d", {"v": 4})
    assert store.checkpoints == 2
    store.close()
    with TinyJournalStore(folder) as reopened:
        assert reopened.all("t") == [{"v": 2}, {"v": 3}, {"v": 4}]
        reopened.put("t", "e", {"v": 5})
    with TinyJournalStore(folder) as reopened:
        assert [doc["v"] for doc in reopened.all("t")] == [2, 3, 4, 5]

    assert fake_os.opens
    assert [path for path, _ in fake_os.opens if path.is_dir()] == []
    for path, flags in fake_os.opens:
        assert flags & RecordingOs.FAKE_BINARY, path  # no \n -> \r\n translation
        assert flags & (os.O_WRONLY | os.O_RDWR), path  # Windows fsyncs writable handles only


@pytest.mark.skipif(os.name != "posix", reason="directory fsync is POSIX only")
def test_posix_fsyncs_the_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_os = RecordingOs("posix", binary=False)
    monkeypatch.setattr(tinystore, "os", fake_os)
    with TinyJournalStore(tmp_path) as store:
        store.put("t", "a", {"v": 1})
        opens_before_checkpoint = len(fake_os.opens)
        store.checkpoint()
    assert (tmp_path, os.O_RDONLY) in fake_os.opens[:opens_before_checkpoint]  # new journal
    assert (tmp_path, os.O_RDONLY) in fake_os.opens[opens_before_checkpoint:]  # os.replace
