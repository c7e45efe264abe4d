"""Fixtures shared by the browser journeys (defined with the login journeys in test_browser.py)."""

from tests.web.test_browser import archive, browser  # noqa: F401 - re-exported pytest fixtures
