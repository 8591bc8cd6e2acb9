"""`monitor demo`: the bundled sample sites (`sites/`) served on 127.0.0.1, scanned, and
their digest written (`run.py`)."""
