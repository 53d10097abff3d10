"""The per-file pipeline as plain functions: extract → detect → decide → a register row.

No Prefect here: flows call these inside coarse tasks, tests call them directly.
"""

from __future__ import annotations

import gc
import logging
import os
import traceback
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from classifiers import engine as detection_engine
from classifiers.fields import FieldSet, extract_fields
from classifiers.fields.data import load_field_patterns
from classifiers.models import Detection
from classifiers.title import guess_title
from extractors.discover import SourceFile, changed_since, root_text
from extractors.models import Document, Status
from extractors.registry import EXTRACTOR_VERSION, extract
from output.eforms import row_online, stage_eform
from output.evidence import needs_office_picture, picture_pdf_early
from output.models import RegisterRow
from output.pipeline.tuning import quiet_libraries
from output.revised import NOTE_NONE, NOTE_PDF, REVISER_VERSION, revise
from output.revised.pdf_plan import plan_document
from output.revised.placement import file_staging
from output.store.analysis import Analysis, AnalysisCache, transient
from output.store.drafts import DraftCache
from output.store.fields import FieldCache
from rules.engine import RuleContext, decide, load_context
from rules.files import rule_files_digest
from rules.manifest import Manifest, ManifestEntry, basis_citations
from rules.models import Decision, legal_basis_items
from rules.online import classify_online, online_rules

log = logging.getLogger(__name__)

PIPELINE_VERSION = "0.2.0"  # 0.2.0: a bare 法律第N条 inside a law's name is no longer a second citation


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """Everything a worker needs to process files; plain values so it pickles."""

    as_of: str | None = None  # YYYY-MM-DD; None = today in Asia/Tokyo
    policy: str = "default"
    manifest: str | None = None
    ocr: bool = True
    work_dir: str | None = None
    corrected_basis: tuple[tuple[str, str], ...] = ()  # reviewers' 根拠法令（修正）: (path, text)
    out_dir: str | None = None  # where revised drafts go (OUT_DIR/revised/); None = no drafts
    cache_dir: str | None = None  # extract+detect cache (output/store/analysis.py); None = no cache


def rule_context(options: PipelineOptions) -> RuleContext:
    """One rule context per worker process and option set (YAML parsed once).

    The rule data (catalogue, policy, document classes, manifest) is parsed once per policy and manifest: every
    other option (the as-of date, folders, the reviewers' 根拠法令) takes the same parsed data, so the command
    line's check (`rule_data`), the run and its decided rows share it. Reviewers' corrected 根拠法令 go in front
    of the staff manifest, so they win over both the manifest and the form text. The parsed data is kept under
    the rule files' bytes too (rules/files.py): a long-lived caller sees an edited policy at its next call.
    """
    return _rule_context(options, rule_files_digest(policy=options.policy, manifest=options.manifest))


@lru_cache(maxsize=8)
def _rule_context(options: PipelineOptions, files: tuple[str, ...]) -> RuleContext:
    data = rule_data(options)
    if options != data:
        ctx = _rule_context(data, files)
        if options.as_of:
            ctx = replace(ctx, as_of=date.fromisoformat(options.as_of))
    else:
        manifest = Path(options.manifest) if options.manifest else None
        ctx = load_context(policy=options.policy, manifest=manifest)
    if not options.corrected_basis:
        return ctx
    city = ctx.policy.city
    corrected = tuple(
        ManifestEntry(path=path, title="", basis=text, citations=basis_citations(text, city=city))
        for path, text in options.corrected_basis
    )
    base = ctx.manifest.entries if ctx.manifest else ()
    return replace(ctx, manifest=Manifest(entries=corrected + base, path="レビュー修正"))


rule_context.cache_info = _rule_context.cache_info  # as when rule_context itself was the lru_cache
rule_context.cache_clear = _rule_context.cache_clear


def rule_data(options: PipelineOptions) -> PipelineOptions:
    """The options the rule data depends on (policy, manifest), the others left at their defaults."""
    return PipelineOptions(policy=options.policy, manifest=options.manifest)


def staff_manifest(options: PipelineOptions) -> Manifest | None:
    """The staff's manifest alone (its 所管 column), without the reviewers' corrections."""
    return rule_context(replace(options, corrected_basis=())).manifest


WORKER_GC_THRESHOLD = (10_000, 20, 10)
UNEXPECTED_ERROR = "処理中に予期しないエラーが発生しました"  # the reason of a crash's row (never kept as decided)


def warm_worker() -> None:
    """Process-pool initializer: quiet loggers, load GiNZA once per worker, then tune the cyclic GC.

    Everything loaded so far (modules, the model) lives as long as the worker: `gc.freeze()` takes it out of
    every later collection. pdfminer allocates a great many short-lived objects, which with the default
    threshold (700) start a collection every few hundred allocations. Measured on 150 generated PDFs:
    time in the GC 0.86 s by default, 0.41 s frozen, 0.21 s frozen with this threshold (about 4.5 ms less
    per PDF). The full collections still run (every ~2 million allocations), so cyclic garbage is freed.
    """
    quiet_libraries()
    detection_engine.get_detector()
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLD)


def versions(ctx: RuleContext) -> dict:
    return {
        "pipeline": PIPELINE_VERSION,
        "extractor": EXTRACTOR_VERSION,
        "reviser": REVISER_VERSION,
        **detection_engine.versions(),
        **ctx.versions(),
        "fields": f"fields@{load_field_patterns().version}",
        "online": f"online@{online_rules().version}",
    }


CHANGED_DURING_SCAN = ("読み取り中にファイルが変更されたため、この判定は読み取った時点の内容によるもので確定していません"
                      "（次回の実行で読み直します）")


def process_file(source: SourceFile, options: PipelineOptions, *, stage=lambda name: None,
                 keep: dict | None = None) -> RegisterRow:
    """One file through every stage. Never raises: a crash becomes an `error` row.

    `stage(name)` is called as each step starts (extract, detect, decide, draft): the limited worker
    (output/pipeline/workers.py) names the step that hit a limit. A file written while it was being read is
    flagged (needs_review) and its analysis is not cached: the cache is keyed by the sha256 taken at
    discovery, which would not be the bytes that were read.

    `keep`: given a dict, the Document of a Word/Excel row that still needs its evidence picture is put there
    (sha256 → Document), so the process that writes the register draws it without reading the file again."""
    ctx = rule_context(options)
    try:
        work_dir = Path(options.work_dir) if options.work_dir else None
        document, detection, fresh = extract_and_detect(source, options, work_dir, stage=stage)
        stage("decide")
        fieldset, found_now = fields_of(source, document, options, fresh)
        row = analyse(source, document, ctx, staff_manifest(options), detection=detection, fieldset=fieldset)
        if options.out_dir and source.format.value == "pdf":  # its evidence picture, while the file is at hand
            picture_pdf_early(row, document, Path(options.out_dir))
        elif keep is not None and options.out_dir and needs_office_picture(row, Path(options.out_dir)):
            keep[source.sha256] = document
        if options.out_dir:
            row = stage_eform(row, fieldset, Path(options.out_dir))
        if row.decision == "abolish":
            stage("draft")
            row = add_draft(source, document, row, options)
        if changed_since(source):
            return row if row.decision == "error" else changed_row(row)
        if fresh and options.cache_dir:
            AnalysisCache(options.cache_dir, ocr=options.ocr).put(source.sha256, Analysis(document, detection))
        if found_now and options.cache_dir and not transient(document):
            FieldCache(options.cache_dir, ocr=options.ocr).put(source.sha256, fieldset)
        return row
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        log.error("処理に失敗しました: %s\n%s", source.rel_path, traceback.format_exc())
        return error_row(source, f"{UNEXPECTED_ERROR}（{type(exc).__name__}: {exc}）", ctx)


def fields_of(source: SourceFile, document: Document, options: PipelineOptions,
              fresh: bool) -> tuple[FieldSet, bool]:
    """(the form's fields, found now?): kept from an earlier run for a cached (unchanged) file, else found now
    (the caller keeps them with the analysis, once it knows the file did not change meanwhile)."""
    if not options.cache_dir:
        return extract_fields(document), True
    cache = FieldCache(options.cache_dir, ocr=options.ocr)
    version = f"fields@{load_field_patterns().version}"
    found = None if fresh else cache.get(source.sha256, version)
    return (found, False) if found is not None else (extract_fields(document), True)


def changed_row(row: RegisterRow) -> RegisterRow:
    """A row whose file changed while it was read: to review, without a draft, with the reason."""
    return replace(row, decision="needs_review", replacement=None, revised_path=None, revisions=[],
                   machine_replacement=None, reason=f"{CHANGED_DURING_SCAN}。{row.reason}",
                   warnings=[*row.warnings, CHANGED_DURING_SCAN], rule_id="decide.changed_during_scan.v1")


def extract_and_detect(
    source: SourceFile, options: PipelineOptions, work_dir: Path | None, *, stage=lambda name: None
) -> tuple[Document, Detection, bool]:
    """Extract and detect, or take both from the cache when the same bytes were analysed before.
    Returns (document, detection, analysed now?); the caller caches what it analysed once it knows the
    file did not change meanwhile."""
    if options.cache_dir:
        cached = AnalysisCache(options.cache_dir, ocr=options.ocr).get(source.sha256)
        if cached is not None:
            return cached.document, cached.detection, False
    stage("extract")
    document = extract(source, work_dir=work_dir, ocr=options.ocr)
    stage("detect")
    detection = detection_engine.detect(document) if document.status != Status.FAILED else Detection()
    return document, detection, True


def analyse(
    source: SourceFile,
    document: Document,
    ctx: RuleContext,
    manifest: Manifest | None = None,
    *,
    detection: Detection | None = None,
    fieldset: FieldSet | None = None,
) -> RegisterRow:
    """Detect (unless `detection` is given), decide, and give the form its オンライン化 (from its fields'
    identity documents and the decision; the fields are read unless `fieldset` is given)."""
    title = guess_title(document, source.path.name) if document.status != Status.FAILED else source.path.stem
    if detection is None:
        detection = detection_engine.detect(document) if document.status != Status.FAILED else Detection()
    decision = decide(document, detection, rel_path=source.rel_path, title=title, ctx=ctx)
    department = source.department
    if manifest is not None:
        entry = manifest.lookup(source.rel_path, title)
        if entry is not None and entry.department:
            department = entry.department
    row = build_row(source, document, detection, decision, title=title, department=department, ctx=ctx)
    fieldset = fieldset if fieldset is not None else extract_fields(document)
    row.online = row_online(row, fieldset.identity_documents)
    row.eform_note = fieldset.why or None
    return row


def add_draft(source: SourceFile, document: Document, row: RegisterRow, options: PipelineOptions) -> RegisterRow:
    """Write the revised draft of an `abolish` form and list its edits on the row.

    The draft goes to the staging folder of its input folder (output/revised/placement.py);
    `revised_path` is relative to OUT_DIR. `output.register.write_run` moves it to OUT_DIR/revised/ once
    the final decision (after the reviewers' corrections) is known, or deletes it.
    A PDF cannot be edited: its edit list is planned from the Document already extracted.
    An unchanged form's draft comes from the draft cache (output/store/drafts.py) instead of being edited again.
    """
    if not options.out_dir or not row.replacement:
        return row
    if source.format.value == "pdf":
        row.revisions = list(plan_document(document, replacement=row.replacement))
        row.warnings = [*row.warnings, NOTE_PDF if row.revisions else NOTE_NONE]
        return row
    staging, staged = file_staging(Path(options.out_dir), source.root, source.path)
    drafts = DraftCache(options.cache_dir) if options.cache_dir else None
    result = drafts.get(source.sha256, row.replacement, rel_path=staged, out_dir=staging) if drafts else None
    if result is None:
        result = revise(
            source.path,
            fmt=source.format.value,
            rel_path=staged,
            replacement=row.replacement,
            out_dir=staging,
            work_dir=Path(options.work_dir) if options.work_dir else None,
        )
        if drafts:
            drafts.put(source.sha256, row.replacement, result)
    row.revised_path = os.path.relpath(result.path, options.out_dir) if result.path else None
    row.revisions = list(result.edits)
    if result.note:
        row.warnings = [*row.warnings, result.note]
    return row


def process_batch(sources: list[SourceFile], options: PipelineOptions) -> list[RegisterRow]:
    return [process_file(source, options) for source in sources]


def build_row(
    source: SourceFile,
    document: Document,
    detection: Detection,
    decision: Decision,
    *,
    title: str,
    department: str | None,
    ctx: RuleContext,
) -> RegisterRow:
    unreadable = decision.decision == "error"
    return RegisterRow(
        path=source.rel_path,
        sha256=source.sha256,
        format=source.format.value,
        title=title,
        department=department,
        seal_requested=None if unreadable else detection.seal_requested,
        seal_kinds=[] if unreadable else list(detection.seal_kinds),
        signature_required=None if unreadable else detection.signature_required,
        legal_basis=legal_basis_items(decision),
        decision=decision.decision,
        replacement=decision.replacement,
        reason=decision.reason,
        evidence=[{"text": e.text, "location": e.location, "rule": e.rule} for e in decision.evidence],
        confidence=round(decision.confidence, 2),
        error=(document.errors[0] if document.errors else decision.reason) if unreadable else None,
        rule_id=decision.rule_id,
        machine_replacement=decision.replacement,
        document_class=decision.document_class,
        basis_category=decision.basis_category,
        reiki_kaisei=decision.reiki_kaisei,
        input_root=root_text(source.root),
        warnings=list(document.warnings),
        versions=versions(ctx),
        form_numbers=list(decision.form_numbers),
        ocr_pages=[int(p) for p in document.meta.get("ocr_pages", ())],
    )


def error_row(source: SourceFile, reason: str, ctx: RuleContext) -> RegisterRow:
    return RegisterRow(
        path=source.rel_path,
        sha256=source.sha256,
        format=source.format.value,
        title=source.path.stem,
        department=source.department,
        seal_requested=None,
        seal_kinds=[],
        signature_required=None,
        legal_basis=[],
        decision="error",
        replacement=None,
        reason=reason,
        evidence=[],
        confidence=0.0,
        error=reason,
        rule_id="decide.error.v1",
        input_root=root_text(source.root),
        versions=versions(ctx),
        online=classify_online(decision="error").to_json(),
        eform_note="読取不可のため電子様式は作りません",
    )


BATCH_DIED = "作業プロセスが異常終了したため、この束のファイルを読み取れませんでした（メモリ不足の可能性があります）。再実行すると読み直します"


def batch_outcome(future, sources: list, options) -> tuple[list, bool]:
    """A batch task's rows, or — when its worker process died (killed for memory, a crash in C code) —
    one `error` row per file of the batch so the register stays complete. (rows, complete?): rows of a
    dead batch are not checkpointed, so a re-run tries those files again."""
    try:
        return future.result(), True
    except Exception as exc:  # noqa: BLE001 - BrokenProcessPool, a lost Dask worker, ...
        logging.getLogger(__name__).error("作業プロセスが異常終了しました（%s 件）: %r", len(sources), exc)
        ctx = rule_context(options)
        return [error_row(source, BATCH_DIED, ctx) for source in sources], False
