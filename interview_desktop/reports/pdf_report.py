"""PDF export: the Markdown report laid out by Qt (``QTextDocument`` printed to a ``QPdfWriter``).

No hand-written PDF and no extra dependency. ``QTextDocument`` and painting on a ``QPdfWriter`` are
safe on a worker thread (Qt: "QPainter can be used in threads to paint on QImage, QPrinter and
QPicture paint devices"), which is where the History service calls it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from interview_desktop.domain import Session
from interview_desktop.reports.errors import ReportError, describe_os_error, temp_path_for
from interview_desktop.reports.markdown_report import markdown_report

RESOLUTION_DPI = 300


def write_pdf(sessions: Sequence[Session], path: str | os.PathLike[str], *,
              title: str = "Interview report") -> Path:
    target = Path(path)
    document = QTextDocument()
    document.setMarkdown(markdown_report(sessions, title=title))
    document.setDocumentMargin(0)
    tmp = temp_path_for(target)
    try:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(title)
        writer.setCreator("Interview Desktop")
        writer.setResolution(RESOLUTION_DPI)
        writer.setPageLayout(
            QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                        QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
        )
        document.print_(writer)
        del writer  # the file is finished when the writer is destroyed
        if tmp.stat().st_size == 0:
            raise ReportError(f"could not write {target.name}: the PDF writer produced nothing")
        os.replace(tmp, target)
    except OSError as exc:
        raise ReportError(f"could not write {target.name}: {describe_os_error(exc, target)}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target
