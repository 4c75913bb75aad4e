"""The window's dialogs: accounts, conflict, history, link, settings, about."""
