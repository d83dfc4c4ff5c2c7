"""HistoryService slots against the real JSON store (called directly, on the test thread)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from interview_desktop.domain import from_iso, utc_now
from interview_desktop.services.history import ExportResult, HistoryService, make_review
from interview_desktop.storage.json_store import JsonHistoryRepository
from tests.reports.factories import scored_session


@pytest.fixture
def repo(tmp_path):
    with JsonHistoryRepository(tmp_path / "data") as repository:
        yield repository


@pytest.fixture
def service(qtbot, repo):
    return HistoryService(repo)


def test_save_review_of_an_answer_and_of_the_session(qtbot, repo, service):
    session = scored_session(id="s1", revision=3)
    repo.save(session)
    before = utc_now()
    with qtbot.waitSignal(service.session_saved) as saved:
        service.save_review("s1", 1, {"rating": 4, "note": "  Good STAR answer ", "by": "rita"})
    stored = repo.get("s1")
    assert saved.args[0] == stored
    assert stored.revision == 4
    review = stored.answers[1].review
    assert (review["rating"], review["note"], review["by"]) == (4, "Good STAR answer", "rita")
    assert before <= from_iso(review["at"]) <= utc_now()
    assert stored.answers[0].review is None and stored.review is None

    with qtbot.waitSignal(service.session_saved):
        service.save_review("s1", -1, {"rating": None, "note": "Invite to round two", "by": "rita"})
    stored = repo.get("s1")
    assert stored.revision == 5
    assert stored.review["note"] == "Invite to round two" and stored.review["rating"] is None
    assert stored.answers[1].review["rating"] == 4  # untouched

    with qtbot.waitSignal(service.session_saved):  # nothing left to keep: the review is removed
        service.save_review("s1", 1, {"rating": None, "note": " ", "by": "rita"})
    assert repo.get("s1").answers[1].review is None


def test_save_review_problems(qtbot, repo, service):
    repo.save(scored_session(id="s1"))
    with qtbot.waitSignal(service.failed) as failed:
        service.save_review("gone", 0, {"rating": 3, "note": "", "by": "x"})
    assert failed.args[0].text == "That session no longer exists."
    with qtbot.waitSignal(service.failed) as failed:
        service.save_review("s1", 9, {"rating": 3, "note": "", "by": "x"})
    assert "no answer 10" in failed.args[0].text
    with pytest.raises(ValueError, match="1 to 5"):
        make_review(6, "", "x")
    with pytest.raises(ValueError, match="1 to 5"):
        make_review(True, "", "x")


def test_apply_retention_deletes_only_old_sessions(qtbot, tmp_path, repo, service):
    now = utc_now()
    for sid, days in (("old1", 400), ("old2", 40), ("new1", 10), ("new2", 0)):
        repo.save(scored_session(id=sid, started_at=now - timedelta(days=days, minutes=1)))
    (tmp_path / "data" / "audio" / "old2").mkdir(parents=True)
    (tmp_path / "data" / "audio" / "old2" / "0.wav").write_bytes(b"RIFF")
    with qtbot.waitSignal(service.retention_applied) as applied:
        service.apply_retention(0)  # 0 = keep everything
    assert applied.args == [0]
    deleted = []
    service.session_deleted.connect(deleted.append)
    with qtbot.waitSignal(service.retention_applied) as applied:
        service.apply_retention(30)
    assert applied.args == [2]
    assert sorted(deleted) == ["old1", "old2"]
    assert sorted(s.id for s in repo.list()) == ["new1", "new2"]
    assert not (tmp_path / "data" / "audio" / "old2").exists()
    with qtbot.waitSignal(service.retention_applied) as applied:
        service.apply_retention(30)
    assert applied.args == [0]


def test_retention_through_many_batches(qtbot, repo, service, monkeypatch):
    monkeypatch.setattr("interview_desktop.services.history.RETENTION_BATCH", 7)
    old = utc_now() - timedelta(days=100)
    for i in range(20):
        repo.save(scored_session(id=f"s{i:02d}", started_at=old - timedelta(hours=i)))
    with qtbot.waitSignal(service.retention_applied) as applied:
        service.apply_retention(1)
    assert applied.args == [20]
    assert repo.count() == 0


def test_load_sessions_keeps_the_order_and_reports_missing(qtbot, repo, service):
    for sid in ("a", "b", "c"):
        repo.save(scored_session(id=sid))
    with qtbot.waitSignal(service.sessions_loaded) as loaded:
        service.load_sessions(7, ["c", "zz", "a"])
    result = loaded.args[0]
    assert result.request_id == 7
    assert [s.id for s in result.sessions] == ["c", "a"]
    assert result.missing == ("zz",)


def test_export_reports_progress_then_the_result(qtbot, tmp_path, repo, service):
    ids = [f"s{i}" for i in range(5)]
    for sid in ids:
        repo.save(scored_session(id=sid))
    progress = []
    service.export_progress.connect(lambda done, total: progress.append((done, total)))
    path = tmp_path / "out.json"
    with qtbot.waitSignal(service.sessions_exported) as exported:
        service.export_sessions([*ids, "missing"], "json", str(path))
    assert exported.args[0] == ExportResult(str(path), "json", 5)
    assert progress[0] == (0, 6) and progress[-1] == (6, 6)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert [d["id"] for d in json.loads(path.read_text())] == ids


def test_export_failure_is_reported(qtbot, tmp_path, repo, service):
    repo.save(scored_session(id="s1"))
    target = tmp_path / "missing-folder" / "out.csv"
    notices = []
    service.failed.connect(notices.append)
    with qtbot.waitSignal(service.sessions_exported) as exported:
        service.export_sessions(["s1"], "csv", str(target))
    result = exported.args[0]
    assert [n.level for n in notices] == ["error"]
    assert notices[0].text == (
        f"Could not export: could not write out.csv: the folder does not exist ({target.parent})"
    )
    assert result.error and result.count == 0
    assert not target.exists()
