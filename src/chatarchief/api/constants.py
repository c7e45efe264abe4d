from django.db import models
from django.utils.translation import gettext_lazy as _

from chatarchief.access.constants import Action


class Operation(models.TextChoices):
    """What a service account may do through the API (never read message content)."""

    DELIVER = "deliver", _("Exports aanleveren")
    READ_STATUS = "read_status", _("Status van aanleveringen lezen")
    READ_COMPLIANCE = "read_compliance", _("Nalevingsbevindingen lezen (metagegevens)")


# The access action each operation needs on a custodian (see access/constants.py).
OPERATION_ACTIONS: dict[str, Action] = {
    Operation.DELIVER: Action.DELIVER,
    Operation.READ_STATUS: Action.VIEW_METADATA,
    Operation.READ_COMPLIANCE: Action.VIEW_METADATA,
}
