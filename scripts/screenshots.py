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
from interview_desktop.providers.brains.question_bank import QuestionBank  # noqa: E402
from tests.reports.factories import scored, seed_store  # noqa: E402
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


def sample_answer(question, strong: bool) -> str:
    """A plausible answer built from what a strong answer covers (for the pictures only)."""
    if not strong:
        return "I think I would just try my best and see how it goes."
    points = "; ".join(question.covers)
    return (
        f"In my last role at a payments company this came up directly. The situation was a busy "
        f"quarter and I was responsible for it. I focused on {points}. I wrote down a plan, agreed it "
        f"with my manager, and measured it every week. As a result we cut the time from 3 days to 4 "
        f"hours and errors fell by 30 percent, and I learned to check the numbers early."
    )


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
    questions = []
    app.engine.question_asked.connect(lambda prompt: questions.append(prompt.question))
    tab.start_button.click()
    for n in range(3):
        wait_for(lambda n=n: tab.submit_button.isEnabled() and len(questions) > n)
        if n == 1:
            settle()
            win.grab().save(str(OUT / "interview.png"))
        tab.answer_edit.setPlainText(sample_answer(questions[n], strong=n != 2))
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
