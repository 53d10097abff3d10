"""output/: stage 5 — write: the register (register.xlsx/.csv/.jsonl, review.html), e-forms, revised drafts and
evidence pictures; plus what runs one file through every stage and what a run keeps between runs.

- register.py: writes a run's register; columns.py, xlsx_writer.py, xlsx_sheets.py, xlsx_style.py, print_layout.py,
  links.py, csv_writer.py, jsonl_writer.py, review_page.py, summary.py, changes.py + changes_sheet.py (history).
- corrections.py, review_reader.py: reviewers' corrections from a returned register.xlsx.
- revised/: revised drafts; evidence/: pictures of the findings; eforms.py + eform_html.py: e-forms.
- pipeline/: one file through extract → detect → decide → row, as plain functions under time and memory limits;
  decided_rows.py: the rows of cached files, kept from an earlier run when nothing they depend on changed.
- store/: OUT_DIR/.sealreview/ (lock, state, caches, checkpoint); atomic.py, confine.py: safe writes and folders.
Imports extractors/, classifiers/ and rules/; never flows/.
"""
