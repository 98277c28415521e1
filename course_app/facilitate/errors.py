class FacilitateError(ValueError):
    """A facilitator action refused, worded for the facilitator; `field` names the form field
    at fault, if any, so a view can show the message beside it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
