from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTODIAN = "custodian", _("Functionaris")
    OPERATOR = "operator", _("Operator (Doc-Direkt / secretariaat)")
    REVIEWER = "reviewer", _("Informatiebeheerder")
    WOO_COORDINATOR = "woo_coordinator", _("Woo-coördinator")
    AUDITOR = "auditor", _("Auditor (ADR)")
    ADMIN = "admin", _("Beheerder")


class Action(models.TextChoices):
    """What a principal wants to do with a custodian's archive."""

    VIEW_METADATA = "view_metadata", _("Metagegevens en bevindingen zien")
    READ_CONTENT = "read_content", _("Berichtinhoud en media lezen")
    DELIVER = "deliver", _("Exports aanleveren")
    CLASSIFY = "classify", _("Classificeren (zakelijk/privé/partij)")
    REGISTER_AGREEMENT = "register_agreement", _("Afspraken registreren")
    ADMINISTER = "administer", _("Gebruikers, rollen en instellingen beheren")
