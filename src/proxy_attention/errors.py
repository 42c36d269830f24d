"""Errors a user can cause and fix; the CLI prints their message as one line, no traceback."""


class UserError(RuntimeError):
    """A problem with inputs, data or the environment, with a message that names the fix."""
