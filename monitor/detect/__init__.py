"""Match the brand and classify: does a text name the brand, and is it a complaint?

`matching.py` finds the brand; `classify.py` is the detector's entry point (negative?
severity, categories, reasons), built from `core.py` and its parts (text, language,
lexicons, rules, valence, the small model) with their data in `data/`; `prepare.py`
does both for an extracted entry and computes its mention's columns. Nothing here
touches the network or the database.
"""
