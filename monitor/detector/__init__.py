"""Helpers behind ``monitor.classify``: text, lexicons, rules, language and the small model."""
