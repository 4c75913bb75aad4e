"""The window's controllers: one concern each (status words, send-later, conflicts,
suggestions, attachments, delete and history, sending, .eml files, the account check).
Each gets what it needs (the storage bridge, widgets, a parent for its dialogs) and
answers through signals; none imports the main window."""
