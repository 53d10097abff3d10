"""extractors/: stage 1 and 2 — find the files and read each one into one `Document` (text + places), never raising.

- discover.py, formats.py: walk the input folders; recognise a file's format from its bytes.
- registry.py: `extract(source) -> Document`, the one entry point; models.py: the `Document` model.
- pdf.py + pdfium_page.py (pypdfium2 pages shaped like pdfplumber's; pdfplumber for pages pdfium cannot read),
  pdf_shapes.py (seal boxes drawn as vectors), ocr.py + ocr_reread.py + scan_shapes.py (scans: tesseract, OpenCV).
- word.py + word_parts.py (.docx), excel.py + xlsx_stream.py + excel_drawings.py (.xlsx), ooxml_shapes.py (drawn
  seal boxes in Word/Excel), legacy.py (.doc .xls .rtf .odt .ods through LibreOffice).
- safety.py: zip-bomb and entity-free XML checks; digest.py: versions derived from the source (cache keys).
Imports nothing of classifiers/, rules/, output/ or flows/.
"""
