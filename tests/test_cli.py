"""The command line refuses bad arguments with one clear line in Japanese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main


def run(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(argv))
    return exc.value.code, capsys.readouterr().err


def test_missing_input_folder(tmp_path: Path, capsys) -> None:
    code, err = run(["scan", str(tmp_path / "none"), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "入力フォルダが見つかりません" in err and "input folder not found" in err


def test_bad_as_of_date(tmp_path: Path, capsys) -> None:
    code, err = run(["scan", str(tmp_path), "--out", str(tmp_path / "o"), "--as-of", "2021-13-01"], capsys)
    assert code == 2
    assert "--as-of" in err and "YYYY-MM-DD" in err


def test_unwritable_output(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, err = run(["scan", str(tmp_path), "--out", str(blocker / "sub")], capsys)
    assert code == 1
    assert "出力フォルダに書き込めません" in err


def test_unknown_policy_fails_loudly(tmp_path: Path, capsys) -> None:
    code, err = run(["scan", str(tmp_path), "--out", str(tmp_path / "o"), "--policy", "no-such-policy"], capsys)
    assert code == 1
    assert "規則データに誤りがあります" in err


def test_file_limits_reach_the_workers_environment(tmp_path: Path, capsys, monkeypatch) -> None:
    import os

    from flows import cli

    # setenv records the original state, so the values the CLI writes are undone after the test
    monkeypatch.setenv("SEALREVIEW_FILE_TIMEOUT", "300")
    monkeypatch.setenv("SEALREVIEW_FILE_MEMORY_MB", "2048")
    args = cli.build_parser().parse_args(
        ["scan", str(tmp_path), "--out", str(tmp_path / "o"), "--file-timeout", "30", "--file-memory-mb", "512"]
    )
    cli.check_run_options(args)
    assert os.environ["SEALREVIEW_FILE_TIMEOUT"] == "30.0"
    assert os.environ["SEALREVIEW_FILE_MEMORY_MB"] == "512"
    code, err = run(["scan", str(tmp_path), "--out", str(tmp_path / "o"), "--file-timeout", "-1"], capsys)
    assert code == 2 and "--file-timeout" in err


def test_corrections_import_without_a_register_in_out_dir(tmp_path: Path, capsys) -> None:
    from openpyxl import Workbook

    book = tmp_path / "register.xlsx"
    Workbook().save(book)
    code, err = run(["corrections", "import", str(book), "--out", str(tmp_path / "elsewhere")], capsys)
    assert code == 2
    assert "台帳が作成されていません" in err and "no register was made" in err


RUN_PROBE = """
import atexit, gc, sys
import flows.cli as cli

written = open(sys.argv[1], "w", encoding="utf-8")  # a file main() leaves open and unflushed: still written at exit
cli.main = lambda argv=None: (written.write("行" * 10000), 3)[1]
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, flush=True))
cli.run()
"""


def test_run_exits_with_mains_code_after_freezing_the_heap(tmp_path: Path) -> None:
    """`sealreview` (flows.cli.run): main's exit status; the objects alive when main returned are frozen for the
    teardown (gc.freeze), and what main left to the teardown still happens (a file's buffer is flushed)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    target = tmp_path / "left-open.txt"
    done = subprocess.run([sys.executable, "-c", RUN_PROBE, str(target)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "frozen at exit: True" in done.stdout
    assert target.read_text(encoding="utf-8") == "行" * 10000
