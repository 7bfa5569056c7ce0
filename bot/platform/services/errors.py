"""Errors services raise for bad input; the API turns each into a 4xx with its ``code``."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the platform refuses, with a stable machine-readable ``code``."""

    code = "error"

    def __init__(self, value: str | None = None, valid: list[str] | None = None) -> None:
        super().__init__(f"{self.code}: {value!r}")
        self.value = value
        self.valid = list(valid or [])  # what the caller could have said instead


class UnknownProvider(ServiceError):
    """No provider of the catalog has that name or alias."""

    code = "unknown_provider"


class UnknownLocation(ServiceError):
    """The caller's organization has no location of that name."""

    code = "unknown_location"
