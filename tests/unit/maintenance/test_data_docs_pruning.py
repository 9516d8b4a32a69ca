"""The maintenance DAG deletes Data Docs of days past `data_docs_retention_days`, nothing else."""

from __future__ import annotations

from datetime import date

from buyer_messaging.retention.stage import data_docs_retention_days, prune_data_docs


def _site(root, account: str, day: str) -> None:
    site = root / account / day
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (root / account / f"{day}.json").write_text("{}")


def test_old_days_go_recent_days_and_shared_files_stay(tmp_path) -> None:
    static = tmp_path / "static-gx-1.24.1"
    (static / "styles").mkdir(parents=True)
    for day in ("2026-08-23", "2026-08-24", "2026-11-22"):
        _site(tmp_path, "acme_eu", day)
    _site(tmp_path, "acme_us", "2025-01-01")
    (tmp_path / "acme_us" / "notes.txt").write_text("kept")
    (tmp_path / "acme_us" / "2026-02-30").mkdir()  # not a date: not ours to judge

    removed = prune_data_docs(tmp_path, 90, date(2026, 11, 22))

    assert removed == {"days": 2, "files": 2}
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert left == [
        "acme_eu", "acme_eu/2026-08-24", "acme_eu/2026-08-24.json", "acme_eu/2026-08-24/index.html",
        "acme_eu/2026-11-22", "acme_eu/2026-11-22.json", "acme_eu/2026-11-22/index.html",
        "acme_us", "acme_us/2026-02-30", "acme_us/notes.txt",
        "static-gx-1.24.1", "static-gx-1.24.1/styles",
    ]  # fmt: skip
    assert prune_data_docs(tmp_path, 90, date(2026, 11, 22)) == {"days": 0, "files": 0}


def test_a_missing_folder_is_nothing_to_prune(tmp_path) -> None:
    assert prune_data_docs(tmp_path / "absent", 90, date(2026, 11, 22)) == {"days": 0, "files": 0}


def test_the_shipped_setting_is_read_and_validated() -> None:
    assert data_docs_retention_days() == 90
