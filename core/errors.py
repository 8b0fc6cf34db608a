class UserError(Exception):
    """A problem the user can fix (bad file, job already running, too little data): shown as a message,
    logged without a traceback, never a 500."""
