"""One exception hierarchy for comity.

Every error that a user can cause is a :class:`ComityError`; the CLI prints its message
(no traceback) and exits non-zero. Messages name the file, row and field involved and what
was expected.
"""

from __future__ import annotations


class ComityError(Exception):
    """Base class of every error comity raises on purpose."""

    exit_code = 1


class DataFormatError(ComityError):
    """A source file does not have the format it claims (or that was detected).

    ``file``, ``row`` (1-based data record, header excluded) and ``field`` locate the problem;
    ``expected`` says what should have been there.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.expected = expected
        parts = []
        if file is not None:
            parts.append(f"{file}")
        if row is not None:
            parts.append(f"row {row}")
        if field is not None:
            parts.append(f"field {field!r}")
        where = ", ".join(parts)
        text = f"{where}: {message}" if where else message
        if expected is not None:
            text += f" (expected {expected})"
        super().__init__(text)


class UnknownStateError(ComityError):
    """A state spelling, code or name that comity cannot map to a canonical code."""

    exit_code = 4

    def __init__(self, message: str, *, spellings: list[str] | None = None,
                 file: str | None = None, candidates: list[str] | None = None) -> None:
        self.spellings = spellings or []
        self.file = file
        self.candidates = candidates or []
        super().__init__(message)


class UnknownBlocError(ComityError):
    """A bloc name that is neither built in nor defined in a user bloc file."""

    exit_code = 4


class StoreError(ComityError):
    """The DuckDB store is missing, locked, or of an unexpected schema."""

    exit_code = 5


class ValidationError(ComityError):
    """Strict validation failed (e.g. ``--strict`` and tally mismatches were found)."""

    exit_code = 6


class FetchError(ComityError):
    """A download failed: HTTP error, timeout, truncated transfer or wrong checksum."""

    exit_code = 7


class EstimationError(ComityError):
    """An estimator could not be fitted on the data given (too few votes, no variation, ...)."""

    exit_code = 8


class AlignmentError(ComityError, ValueError):
    """An invalid query: unknown issue, body, period specification, or an empty selection."""


QueryError = AlignmentError
"""The same class under the name the lower wings use (an issue code is checked in ``world``)."""


class PlotError(ComityError, ValueError):
    """A figure cannot be drawn or written (unknown file type, nothing to draw)."""


class ShiftError(ComityError, ValueError):
    """An invalid request for change points, movers or switches (bad period, method, ...)."""
