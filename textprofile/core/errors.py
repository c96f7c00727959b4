"""Errors textprofile raises on bad input or state; each message says what to do next.

The CLI maps every ``TextProfileError`` to one line on stderr and exit code 1.
"""

from __future__ import annotations


class TextProfileError(Exception):
    """Base class: a problem with the user's input or workspace state (exit code 1)."""


class InputFileError(TextProfileError):
    """An export file is missing, unreadable, empty, binary or in an unknown format."""


class EncodingError(InputFileError):
    """An export file cannot be decoded in the detected or requested encoding."""


class ColumnError(TextProfileError):
    """A required column is missing or a requested column does not exist."""


class ConfigError(TextProfileError):
    """An option value is invalid or a required setting (e.g. an environment variable) is unset."""


class NotFoundError(TextProfileError):
    """A corpus, model, store or customer that was asked for does not exist."""


class IntegrityError(TextProfileError):
    """An artifact failed checksum or version verification; it is not loaded."""


class StateError(TextProfileError):
    """The workspace is not in the state a command needs (e.g. ``fit`` before ``load``)."""
