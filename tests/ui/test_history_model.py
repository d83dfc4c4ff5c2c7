"""HistoryTableModel on its own: rows, display, paging with fetchMore, removal."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt

from interview_desktop.domain import SessionStatus
from interview_desktop.storage.base import SessionSummary
from interview_desktop.ui.history_model import COLUMNS, SESSION_ID_ROLE, HistoryTableModel
from tests.storage.factories import BASE_TIME


def summary(i: int, score: float | None = 70.0) -> SessionSummary:
    return SessionSummary(
        id=f"id{i}", candidate=f"Candidate {i}", role="Data analyst",
        started_at=BASE_TIME - timedelta(days=i), status=SessionStatus.COMPLETED,
        answer_count=i, overall_score=score,
    )


def test_rows_and_display(qtbot, qtmodeltester):
    model = HistoryTableModel()
    model.reset_rows([summary(1, 72.6), summary(2, None), summary(3)], total=3)
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (3, len(COLUMNS))
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))] == [
        "Date", "Candidate", "Role", "Answers", "Status", "Score"
    ]
    row = [model.index(0, c).data() for c in range(len(COLUMNS))]
    assert row[0] == (BASE_TIME - timedelta(days=1)).astimezone().strftime("%Y-%m-%d %H:%M")
    assert row[1:] == ["Candidate 1", "Data analyst", "1", "completed", "73"]
    assert model.index(1, 5).data() == ""  # no score yet
    assert model.index(2, 0).data(SESSION_ID_ROLE) == "id3"
    assert model.index(0, 5).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.summary(1).id == "id2"
    assert not model.canFetchMore()


def test_fetch_more_asks_once_per_page_until_everything_is_loaded(qtbot):
    model = HistoryTableModel()
    model.reset_rows([summary(i) for i in range(100)], total=250)
    assert model.total == 250 and model.canFetchMore()
    with qtbot.waitSignal(model.more_requested) as asked:
        model.fetchMore()
    assert asked.args == [100]
    with qtbot.assertNotEmitted(model.more_requested):
        model.fetchMore()  # the page is on its way: no second request
    with qtbot.waitSignal(model.rowsInserted):
        model.append_rows([summary(i) for i in range(100, 200)])
    assert model.rowCount() == 200
    with qtbot.waitSignal(model.more_requested) as asked:
        model.fetchMore()
    assert asked.args == [200]
    model.append_rows([summary(i) for i in range(200, 250)])
    assert model.rowCount() == 250 and not model.canFetchMore()
    assert not model.canFetchMore(model.index(0, 0))  # a table has no child rows


def test_an_empty_page_ends_paging(qtbot):
    model = HistoryTableModel()
    model.reset_rows([summary(i) for i in range(10)], total=20)  # 10 were deleted meanwhile
    model.fetchMore()
    model.append_rows([])
    assert model.total == 10 and not model.canFetchMore()


def test_a_search_counted_only_so_far_keeps_paging_until_a_page_comes_back_empty(qtbot):
    model = HistoryTableModel()
    model.reset_rows([summary(i) for i in range(100)], total=100, exact=False)  # "100+"
    assert model.total == 100 and not model.total_exact and model.canFetchMore()
    model.fetchMore()
    model.append_rows([summary(i) for i in range(100, 200)])
    assert model.total == 200 and not model.total_exact and model.canFetchMore()
    model.fetchMore()
    model.append_rows([])
    assert model.total == 200 and model.total_exact and not model.canFetchMore()


def test_remove_session(qtbot, qtmodeltester):
    model = HistoryTableModel()
    model.reset_rows([summary(i) for i in range(5)], total=5)
    with qtbot.waitSignal(model.rowsRemoved):
        model.remove_session("id2")
    assert [model.summary(r).id for r in range(model.rowCount())] == ["id0", "id1", "id3", "id4"]
    assert model.total == 4
    with qtbot.assertNotEmitted(model.rowsRemoved):
        model.remove_session("nope")
    qtmodeltester.check(model)
    assert model.rowCount(model.index(0, 0)) == 0 and model.rowCount(QModelIndex()) == 4
