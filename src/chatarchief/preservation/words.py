"""Preservation's audit actions in words; the web app's `action_label` (ca_words) includes them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "preservation.fixity_checked": _("Integriteitscontrole uitgevoerd"),
    "preservation.hold_added": _("Juridische bewaarplicht opgelegd"),
    "preservation.hold_removed": _("Juridische bewaarplicht opgeheven"),
    "preservation.hold_refused": _("Geweigerd wegens juridische bewaarplicht"),
    "preservation.retention_category_set": _("Selectielijstcategorie vastgelegd"),
    "preservation.retention_overridden": _("Eigen bewaartermijn voor gesprek"),
    "preservation.term_ended": _("Einde ambtstermijn vastgelegd"),
    "preservation.disposition_proposed": _("Vernietigingslijst voorgesteld"),
    "preservation.disposition_approved": _("Vernietigingslijst goedgekeurd"),
    "preservation.disposition_executed": _("Vernietigingslijst uitgevoerd"),
    "preservation.transfer_packaged": _("Overdrachtspakket gemaakt"),
    "preservation.backup_made": _("Back-up gemaakt"),
    "preservation.restored": _("Hersteld uit back-up"),
}
