"""Screenshots of the real window for the README (run under a virtual X screen).

    xvfb-run -a -s "-screen 0 1280x900x24" .venv/bin/python scripts/screenshots.py

Seeds a temporary data folder with sample sessions, drives the window and saves
docs/screenshots/{interview,report,history,settings}.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from interview_desktop.app import InterviewApplication  # noqa: E402
from interview_desktop.cli import build_parser  # noqa: E402
from interview_desktop.config.settings import SettingsStore  # noqa: E402
from interview_desktop.domain import InterviewRequest  # noqa: E402
from interview_desktop.providers.brains.question_bank import QuestionBank  # noqa: E402
from tests.reports.factories import scored, seed_store  # noqa: E402
from tests.scoring_set import load_cases  # noqa: E402
from tests.storage.factories import make_sessions  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition, timeout_ms: int = 10000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        settle(50)
        waited += 50


def interview_plan() -> list[tuple[object, str]]:
    """Three Software Engineer questions with answers of our labelled scoring set: two strong, one weak
    (real answers, so the report shows what the scorer really says)."""
    cases = [c for c in load_cases() if c.question.role == "Software Engineer" and c.question.covers]
    strong = [c for c in cases if c.kind == "strong"][:2]
    asked = {c.question.id for c in strong}
    weak = next(c for c in cases if c.kind == "vague" and c.question.id not in asked)
    return [(c.question, c.text) for c in (*strong, weak)]


def main() -> int:
    qt = QApplication.instance() or QApplication(sys.argv)
    tmp = Path(tempfile.mkdtemp(prefix="screens-"))
    data = tmp / "data"
    seed_store(data, [scored(s) for s in make_sessions(24, seed=3)])
    args = build_parser().parse_args(["--data-dir", str(data), "--typed", "--candidate", "Ada Lovelace",
                                      "--role", "Software Engineer", "--questions", "3"])
    store = SettingsStore(tmp / "settings.json")
    app = InterviewApplication(args, store.load(), store, QuestionBank.load())
    win = app.window
    win.resize(1200, 820)
    app.show()
    OUT.mkdir(parents=True, exist_ok=True)
    tab = win.interview_tab
    plan = interview_plan()
    questions = []
    app.engine.question_asked.connect(lambda prompt: questions.append(prompt.question))
    tab.start_requested.emit(InterviewRequest("Ada Lovelace", "Software Engineer", len(plan),
                                              questions=tuple(q for q, _ in plan)))
    for n, (_question, answer) in enumerate(plan):
        wait_for(lambda n=n: tab.submit_button.isEnabled() and len(questions) > n)
        if n == 1:
            tab.answer_edit.setPlainText(answer[:160])  # typing in progress
            settle()
            win.grab().save(str(OUT / "interview.png"))
        tab.answer_edit.setPlainText(answer)
        tab.submit_button.click()
        settle(300)
    wait_for(lambda: win.tabs.currentWidget() is win.report_view)
    settle()
    win.grab().save(str(OUT / "report.png"))
    win.tabs.setCurrentWidget(win.history_tab)
    wait_for(lambda: win.history_tab.model.rowCount() > 3)
    win.history_tab.table.selectRow(1)
    settle(800)
    win.grab().save(str(OUT / "history.png"))
    win.tabs.setCurrentWidget(win.settings_tab)
    settle(800)
    win.grab().save(str(OUT / "settings.png"))
    app.shutdown()
    qt.quit()
    print("saved", *sorted(p.name for p in OUT.glob("*.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
