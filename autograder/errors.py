"""The one base class for errors a user can fix: the CLI prints them without a traceback."""


class KitError(Exception):
    """Bad input or configuration; the message names the place and the fix."""
