"""Guards against known defects of the Qt binding that would crash a long interview."""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    fired = Signal(object)


def test_signal_emit_keeps_the_reference_count_of_true():
    # PySide6 6.12.0 returned True from emit() without a new reference: 30 meter updates a second
    # drove True's count to zero within minutes on Python 3.11 ("bool_dealloc" abort at exit).
    emitter = Emitter()
    before = sys.getrefcount(True)
    for _ in range(1000):
        emitter.fired.emit(1)
    assert sys.getrefcount(True) - before > -10
