from django.db import models
from django.utils.translation import gettext_lazy as _

from chatarchief.access.constants import SERVICE_ACCOUNT_ACTIONS, Action


class Operation(models.TextChoices):
    """What a service account may do through the API (never read message content)."""

    DELIVER = "deliver", _("Exports aanleveren")
    READ_STATUS = "read_status", _("Status van aanleveringen lezen")
    READ_COMPLIANCE = "read_compliance", _("Nalevingsbevindingen lezen (metagegevens)")


# The access action each operation needs on a custodian (decided in access: SERVICE_ACCOUNT_ACTIONS).
OPERATION_ACTIONS: dict[str, Action] = {Operation(name): action for name, action in SERVICE_ACCOUNT_ACTIONS.items()}
