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
    PROPOSE_LABEL = "propose_label", _("Labels voorstellen (zakelijk/privé)")
    CLASSIFY = "classify", _("Classificeren (zakelijk/privé/partij)")
    REGISTER_AGREEMENT = "register_agreement", _("Afspraken registreren")
    VIEW_AUDIT_TRAIL = "view_audit_trail", _("Audittrail inzien")
    ADMINISTER = "administer", _("Gebruikers, rollen en instellingen beheren")


class Scope(models.TextChoices):
    """How far a grant reaches for an action (see access.services.POLICY)."""

    GRANT = "grant", _("De functionaris of organisatie van de toekenning")
    GRANT_OR_ALL = "grant_or_all", _("Als GRANT; een toekenning zonder organisatie of functionaris geldt overal")


class GrantSource(models.TextChoices):
    LOCAL = "local", _("Lokaal toegekend")
    OIDC = "oidc", _("Uit de identity provider (OIDC)")


# Actions that show message content or media: every use is an audit event (audit.log.content_read).
CONTENT_ACTIONS = frozenset({Action.READ_CONTENT, Action.CLASSIFY, Action.PROPOSE_LABEL})

# What a service account's operations (API) let it do, on the custodians of its own organisation
# only. Never content: no operation maps to READ_CONTENT, CLASSIFY or PROPOSE_LABEL.
SERVICE_ACCOUNT_ACTIONS: dict[str, Action] = {
    "deliver": Action.DELIVER,
    "read_status": Action.VIEW_METADATA,
    "read_compliance": Action.VIEW_METADATA,
}
