"""The assembled app for the GUI tests: ``make_app`` lives in tests/conftest.py."""
