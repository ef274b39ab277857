"""The one exception type users see.

Every problem caused by the user's input or environment (a missing file, a model
that is not available offline, a wrong language code) is raised as
:class:`MtfixError` with a one-line message that names the problem and, where
there is one, the fix. The CLI prints it as ``error: <message>`` and exits with
code 2; no traceback, no partial output.
"""


class MtfixError(Exception):
    """A user-facing error: one line, exit code 2."""

    exit_code = 2

    def __init__(self, message: str):
        # One line, always: tools parse our stderr.
        super().__init__(" ".join(str(message).split()))


class ConfigError(MtfixError, ValueError):
    """A configuration value that is not allowed (a wrong type, out of range, an unknown key):
    one line naming the key (``CONFIG: [table] key: must be ...``), exit code 2. It is a
    ValueError too, for code that builds a scorer, gate or filter with a bad value directly."""
