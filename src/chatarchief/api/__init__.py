"""The integration API (`/api/v1`): service accounts deliver exports and read status and compliance."""
