"""The errors services raise, for screens and the CLI to show (screens never import the store)."""

from __future__ import annotations

from pydantic import ValidationError

from counter_tui.store.connection import StoreBusy, StoreError, StoreUnavailable

__all__ = ["FieldErrors", "NotFound", "Refused", "StoreBusy", "StoreError", "StoreUnavailable", "SignInRefused"]


class Refused(Exception):
    """The actor's role does not allow this; the message says so plainly."""


class NotFound(Exception):
    """No such record."""


class SignInRefused(Exception):
    """Sign-in failed. The message never says whether the staff number exists."""


class FieldErrors(Exception):
    """What people typed cannot be accepted: one message per field, to show beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))

    @classmethod
    def from_validation(cls, error: ValidationError, form_field: str = "form") -> FieldErrors:
        """Keep only each field's location and message, never the input (it may be hostile); an
        error of the whole form (a rule across fields) is shown beside `form_field`."""
        errors: dict[str, str] = {}
        for item in error.errors(include_input=False, include_url=False):
            field = str(item["loc"][0]) if item["loc"] else form_field
            message = item["msg"].removeprefix("Value error, ")
            errors.setdefault(field, message)
        return cls(errors)
