"""Full-text search over the archive: one interface, SQLite FTS5 or PostgreSQL tsvector + GIN."""
