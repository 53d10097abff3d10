"""output/pipeline/steps.rule_context keeps the parsed rule data per process, keyed on the rule files' bytes
(rules/files.py): a long-lived caller (serve, a notebook, a test) sees an edited policy or manifest at its next
call, and gets the same parsed data back while nothing changed."""

from __future__ import annotations

import os
import shutil

from output.pipeline.steps import PipelineOptions, rule_context, staff_manifest
from rules.policy import DEFAULT_POLICY


def test_an_edited_policy_copy_is_seen_by_the_next_call(tmp_path):
    policy = tmp_path / "mine.yaml"
    shutil.copyfile(DEFAULT_POLICY, policy)
    options = PipelineOptions(policy=str(policy), as_of="2025-04-01")
    first = rule_context(options)
    assert first.policy.default_replacement == "kimei"
    assert rule_context(options) is first  # unchanged bytes: parsed once
    text = policy.read_text(encoding="utf-8")
    assert "default_replacement: kimei\n" in text
    policy.write_text(text.replace("default_replacement: kimei\n", "default_replacement: shomei\n"), encoding="utf-8")
    second = rule_context(options)
    assert second.policy.default_replacement == "shomei"
    assert str(second.as_of) == "2025-04-01"
    policy.write_text(text, encoding="utf-8")  # undone: the first data again
    assert rule_context(options).policy.default_replacement == "kimei"


def test_an_edit_of_the_same_size_with_the_old_modification_time_is_seen(tmp_path):
    policy = tmp_path / "same-size.yaml"
    shutil.copyfile(DEFAULT_POLICY, policy)
    options = PipelineOptions(policy=str(policy))
    before = os.stat(policy)
    version = rule_context(options).policy.version
    text = policy.read_text(encoding="utf-8")
    edited = text.replace(f'version: "{version}"', f'version: "{version[:-1]}X"', 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    policy.write_text(edited, encoding="utf-8")
    os.utime(policy, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old time stamp back
    assert rule_context(options).policy.version == f"{version[:-1]}X"


def test_an_edited_manifest_is_seen_with_the_reviewers_basis_in_front(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("ファイル,様式名,根拠法令,所管\na/届出書.docx,,戸籍法第29条,市民課\n", encoding="utf-8")
    options = PipelineOptions(manifest=str(manifest), corrected_basis=(("b/申請書.docx", "地方自治法第234条"),))
    first = rule_context(options)
    assert [e.path for e in first.manifest.entries] == ["b/申請書.docx", "a/届出書.docx"]
    assert staff_manifest(options).entries[0].department == "市民課"
    manifest.write_text("ファイル,様式名,根拠法令,所管\na/届出書.docx,,戸籍法第29条,戸籍課\nc/x.xlsx,,,福祉課\n",
                        encoding="utf-8")
    second = rule_context(options)
    assert [e.path for e in second.manifest.entries] == ["b/申請書.docx", "a/届出書.docx", "c/x.xlsx"]
    assert staff_manifest(options).entries[0].department == "戸籍課"
