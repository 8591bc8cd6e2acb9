"""Tell the staff: the daily digest and urgent alerts, in the owner's language.

`digest.py` builds and renders them (Jinja2 templates in templates/), `delivery.py`
sends them and marks what was sent only once the server accepted it, `mailer.py`
speaks SMTP. Their words are in the catalogues of monitor.i18n.
"""
