"""Folders of reports include page images (issue 12): which files are read as reports."""

from __future__ import annotations

from shaoyang_report.corpus.files import report_files


def test_folders_include_page_images_but_not_a_saved_pages_pictures(tmp_path):
    for name in ("a.txt", "scan.PNG", "photo.jpg", "photo2.jpeg", "fax.tif", "fax2.tiff", "notes.gif",
                 "report.html", "report_files/table1.png", "report_files/logo.jpg",
                 "other_files/table.png",  # no other.html beside it: a folder of page images like any
                 "old.htm", "old.files/t.png"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in report_files(tmp_path)]
    assert found == ["a.txt", "fax.tif", "fax2.tiff", "old.htm", "other_files/table.png", "photo.jpg",
                     "photo2.jpeg", "report.html", "scan.PNG"]
