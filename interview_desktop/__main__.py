"""``python -m interview_desktop`` → :func:`interview_desktop.app.main`."""

import sys

from interview_desktop.app import main

sys.exit(main())
