"""Build small RSS documents for tests."""

from __future__ import annotations

from types import SimpleNamespace
from xml.sax.saxutils import escape


def rss(*items: dict, title: str = "A test blog", link: str = "http://blog.example/") -> str:
    """An RSS 2.0 feed; each item has title, link, guid and description (HTML), and
    optionally author and pubDate."""
    parts = [f"<?xml version='1.0' encoding='utf-8'?>\n<rss version='2.0' "
             f"xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
             f"<title>{escape(title)}</title><link>{escape(link)}</link>"
             f"<description>test</description>"]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.get('title', ''))}</title>")
        parts.append(f"<link>{escape(item['link'])}</link>")
        parts.append(f"<guid isPermaLink='false'>{escape(item.get('guid', item['link']))}</guid>")
        parts.append(f"<description>{escape(item.get('description', ''))}</description>")
        if "author" in item:
            parts.append(f"<dc:creator>{escape(item['author'])}</dc:creator>")
        parts.append(f"<pubDate>{item.get('pubDate', 'Fri, 20 Nov 2026 09:00:00 +0000')}"
                     "</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts)


COMPLAINT_IT = {
    "title": "Il pacco di Bottega Aurora non è mai arrivato",
    "link": "http://blog.example/pacco?utm_source=rss&utm_medium=feed",
    "guid": "post-1",
    "author": "Giulia",
    "description": "<p>Ordinato da <b>Bottega Aurora</b>: il pacco non è mai arrivato e "
                   "nessuno risponde alle email.</p>",
}
PRAISE_EN = {
    "title": "Lovely napkins",
    "link": "http://blog.example/napkins",
    "guid": "post-2",
    "author": "Sarah",
    "description": "<p>The napkins from Bottega Aurora are lovely and arrived fast.</p>",
}
UNRELATED = {
    "title": "Apple pie",
    "link": "http://blog.example/pie",
    "guid": "post-3",
    "description": "<p>Three apples, two eggs. No shop involved.</p>",
}
POSTS = SimpleNamespace(complaint_it=COMPLAINT_IT, praise_en=PRAISE_EN, unrelated=UNRELATED)
