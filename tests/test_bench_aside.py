"""bench/bench_scale.py sets an earlier output aside (one rename) and deletes it after the measurements: on this
machine's ext4 (no journal) a new file cost 117–168 CPU µs for minutes after a scan output's 28,000 files were
deleted, against 32–56 otherwise (bench/file_create_cost.py), and the 4,508-form scan's workers took 68–72 CPU-s
after such a deletion against 62–65 without (three pairs)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_scale  # noqa: E402
import file_create_cost  # noqa: E402


def test_an_earlier_output_is_renamed_aside_then_deleted_with_leftovers(tmp_path) -> None:
    out = tmp_path / "scale-10"
    (out / "evidence").mkdir(parents=True)
    (out / "evidence" / "a.png").write_bytes(b"png")
    inode = (out / "evidence" / "a.png").stat().st_ino
    leftover = tmp_path / ".scale-10-old-1-2"  # an interrupted run's
    leftover.mkdir()
    other = tmp_path / ".scale-100-old-1-2"  # another size's: not this output's
    other.mkdir()

    aside = bench_scale.set_aside(out)

    assert aside is not None and not out.exists()
    assert (aside / "evidence" / "a.png").stat().st_ino == inode  # renamed, not copied and deleted
    assert bench_scale.set_aside(out) is None
    bench_scale.delete_aside(out)
    assert not aside.exists() and not leftover.exists()
    assert other.exists()


def test_the_file_cost_bench_makes_files_where_the_caches_put_them(tmp_path) -> None:
    cost = file_create_cost.create(tmp_path / "made", 50)
    made = sorted((tmp_path / "made").rglob("*.json"))
    assert len(made) == 50 and cost > 0
    assert all(path.parent.name == path.name[:2] for path in made)  # the caches' two-hex shards
    assert not list((tmp_path / "made").rglob("*.tmp"))


def test_the_filesystem_of_a_path_is_its_longest_mount_point() -> None:
    assert file_create_cost.filesystem(Path("/proc/self"))[0] == "proc"
    kind, _device = file_create_cost.filesystem(ROOT)
    assert kind not in {"?", "proc"}
    assert file_create_cost.describe(Path("/proc/self")) == "proc (proc)"  # no journal said: not an ext4
    assert file_create_cost.describe(ROOT).startswith(f"{kind} (")


def test_the_scan_is_judged_against_the_mean_of_the_floors_before_and_after_it() -> None:
    before = {"wall": 80.0, "cpu": 150.0, "files_s": 56.4}
    after = {"wall": 60.0, "cpu": 110.0, "files_s": 75.1}
    floor = bench_scale.around(before, after)
    assert (floor["wall"], floor["cpu"]) == (70.0, 130.0)
    text = bench_scale.floor_text(floor)
    assert text.startswith("70.0 s (130 CPU-s)") and "80.0 s (150 CPU-s) before" in text and "60.0 s (110 CPU-s) after" in text
    once = bench_scale.around(None, after)  # --floor-once
    assert (once["wall"], once["cpu"]) == (60.0, 110.0) and bench_scale.floor_text(once) == "60.0 s (110 CPU-s)"
