"""The one exception type for bad user input; the CLI prints its message and exits non-zero."""


class AlifeError(ValueError):
    """Bad input from a user: the message names the problem and what is accepted."""
