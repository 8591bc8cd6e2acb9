"""What the scan's worker processes run (see SourcesSpider.run_parser): kept free of
Scrapy and Twisted so that a worker starts quickly."""

from __future__ import annotations


def extract_and_annotate(annotate, function, *args):
    """In a worker process: `function(*args)`, then `annotate` over the entries it gave."""
    result = function(*args)
    return annotate(result) if annotate is not None else result
