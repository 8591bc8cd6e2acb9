"""The scan: runs the spiders over every source and carries each entry through
`monitor.detect` into `monitor.storage`; search sightings and suggested sites.

`scan.py` (lock, worker processes, the scan's record) -> `crawl.py` (the Scrapy crawl)
-> `pipeline.py` (stores a response's entries in one transaction); `discovery.py` merges
what several routes find into one mention and proposes sites found by search.
"""
