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
