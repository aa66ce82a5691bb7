"""Errors a user can act on.

Every error samroi raises on purpose is a SamroiError with a message that says what was
wrong and what to do next. The CLI maps each class to a fixed exit code so shell scripts
can rely on it (see EXIT_CODES in samroi.cli).
"""


class SamroiError(Exception):
    """Base class; ``exit_code`` is what the command line returns for it."""

    exit_code = 1


class InputError(SamroiError, ValueError):
    """Bad input: an unreadable or unsupported image, a malformed option, a bad file."""

    exit_code = 3


class PromptError(InputError):
    """A prompt that cannot be used: outside the image, degenerate box, too many points."""


class WeightsError(SamroiError):
    """A checkpoint is missing, has the wrong identity, or does not load strictly."""

    exit_code = 4


class DownloadError(WeightsError):
    """A download failed (no network, truncated transfer, server error)."""

    exit_code = 5


class Cancelled(SamroiError):
    """The user cancelled a long-running operation."""

    exit_code = 130
