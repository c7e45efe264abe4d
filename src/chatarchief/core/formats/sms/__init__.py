"""SMS and MMS: `backup_restore` reads SMS Backup & Restore (SyncTech) XML (FORMATS.md §3)."""
