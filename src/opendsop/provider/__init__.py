"""A bank's side of DSOP: the Control API provider (DSOP “Data model”, DSOP “eOppslag”).

``provider.store`` holds the bank's data behind a repository interface (SQL or in-memory, or a
bank's own core-system adapter); the app and request pipeline sit on top of it.
"""
