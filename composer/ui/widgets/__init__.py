"""The window's widgets: editors, fields, the draft list, icons; no storage or sync."""
