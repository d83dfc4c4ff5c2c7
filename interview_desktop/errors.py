"""Root of the error hierarchy.

Known environment problems (no microphone, no key, server down, disk full …) are subclasses of
:class:`InterviewDesktopError` and carry a message written for the user. Anything else is a bug and
must not be swallowed.
"""


class InterviewDesktopError(Exception):
    """A known, user-explainable problem. ``str(err)`` is shown in the window as is."""
