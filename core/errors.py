class UserError(Exception):
    """A problem the user can fix (bad file, job already running, too little data): shown as a message,
    logged without a traceback, never a 500."""


class ConflictError(UserError):
    """The request conflicts with the current state (a job already running, a lead someone else holds): the API
    answers 409 rather than 400. Apps subclass it, so the API maps their conflicts without importing them."""
