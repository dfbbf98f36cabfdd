"""The root of hromada's exceptions: every error meant for a user derives from ``HromadaError``."""


class HromadaError(Exception):
    """An error with a message in plain English, fit to show to the user as it is."""


class ModelNotAvailableError(HromadaError):
    """A model cannot be prepared or loaded from disk (a package is missing, a file is damaged)."""
