"""The audit events of the phase-2 apps, one module per app; `chatarchief.audit.log` offers them all."""
