"""Follow each complaint to its end: the state machine (`states.py`), the actions that
apply it to the database (`actions.py`), and the staff's web inbox (`web/`)."""
