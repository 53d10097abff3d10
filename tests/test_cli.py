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
