"""The one error the store raises for a request it will not carry out."""

from __future__ import annotations


class StoreError(ValueError):
    """What cannot be done, and why: `field` names the culprit (a form field, a JSON key),
    `status` the HTTP answer a front end gives (422 invalid, 401, 403, 404, 409...)."""

    def __init__(self, field: str, message: str, status: int = 422):
        self.field, self.status = field, status
        super().__init__(message)
