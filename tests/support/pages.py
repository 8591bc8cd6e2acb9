"""Pages for the review and blog spiders' tests and bench: schema.org review pages and
WordPress-like posts with comments, written the way WordPress and review sites write them."""

from __future__ import annotations

import json
from html import escape

NAVIGATION = ("<header><nav><a href='/'>Home</a> <a href='/chi-siamo/'>Chi siamo</a> "
              "<a href='/contatti/'>Contatti</a></nav></header>")
SIDEBAR = ("<aside class='widget'><h3>Iscriviti alla newsletter</h3><p>Ricevi ogni settimana "
           "le nostre ricette migliori.</p></aside>")
FOOTER = "<footer>© 2026 Il blog di casa · Privacy policy · Cookie policy</footer>"


def review(n: int, rating: int = 5, body: str | None = None) -> dict:
    """Review number `n` (its date is the n-th of October 2026)."""
    return {"author": f"Cliente {n}", "date": f"2026-10-{n % 28 + 1:02d}", "rating": rating,
            "body": body or f"Recensione numero {n}: tutto bene."}


def jsonld_review_page(reviews: list[dict], next_path: str | None = None,
                       name: str = "Bottega Aurora") -> str:
    """A page whose JSON-LD holds an Organization and its reviews, with rel="next"."""
    data = {"@context": "https://schema.org", "@type": "Organization", "name": name,
            "review": [{"@type": "Review", "author": {"@type": "Person", "name": r["author"]},
                        "datePublished": r["date"], "reviewBody": r["body"],
                        "reviewRating": {"@type": "Rating", "ratingValue": r["rating"],
                                         "bestRating": 5}} for r in reviews]}
    link = f'<link rel="next" href="{next_path}">' if next_path else ""
    return (f"<!DOCTYPE html><html><head>{link}<script type=\"application/ld+json\">"
            f"{json.dumps(data)}</script></head><body>{NAVIGATION}</body></html>")


def wordpress_post(title: str, paragraphs: list[str], comments: list[dict],
                   feed_url: str | None = None, links: list[str] = ()) -> str:
    """A post page in WordPress's markup: comments as `ol.comment-list li.comment`,
    each {"id", "author", "date", "text"}, replies nested in `ol.children`."""
    feed = (f'<link rel="alternate" type="application/rss+xml" href="{feed_url}">'
            if feed_url else "")
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    more = "".join(f"<li><a href='{url}'>Leggi anche: {url}</a></li>" for url in links)
    return f"""<!DOCTYPE html><html lang="it"><head><meta charset="utf-8">
<title>{escape(title)} – Il blog di casa</title>
<meta property="og:type" content="article">{feed}</head>
<body>{NAVIGATION}<main><article class="post"><h1 class="entry-title">{escape(title)}</h1>
<div class="entry-content">{body}</div></article>
<ul class="related">{more}</ul>
<div id="comments" class="comments-area"><h2 class="comments-title">{len(comments)} commenti</h2>
<ol class="comment-list">{"".join(_comment(c) for c in comments)}</ol>
<div id="respond" class="comment-respond"><h3>Lascia un commento</h3>
<form><textarea name="comment"></textarea></form></div></div></main>{SIDEBAR}{FOOTER}
</body></html>"""


def _comment(comment: dict) -> str:
    replies = comment.get("replies", [])
    children = f'<ol class="children">{"".join(map(_comment, replies))}</ol>' if replies else ""
    return f"""<li id="comment-{comment['id']}" class="comment even depth-1">
<article id="div-comment-{comment['id']}" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard">
<b class="fn">{escape(comment['author'])}</b> <span class="says">ha detto:</span></div>
<div class="comment-metadata"><a href="#comment-{comment['id']}">
<time datetime="{comment['date']}">{comment['date'][:10]}</time></a></div></footer>
<div class="comment-content"><p>{escape(comment['text'])}</p></div>
<div class="reply"><a class="comment-reply-link" href="#respond">Rispondi</a></div>
</article>{children}</li>"""


def rss_of_posts(site_url: str, posts: list[tuple[str, str]]) -> str:
    """An RSS feed listing `posts`, each (title, absolute URL)."""
    items = "".join(f"<item><title>{escape(title)}</title><link>{escape(url)}</link>"
                    f"<guid>{escape(url)}</guid></item>" for title, url in posts)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Il blog di casa</title><link>{site_url}/</link>{items}</channel></rss>")


def home_page(links: list[str], feed_url: str | None = None) -> str:
    """A blog's home page: a list of links to its posts, maybe a feed link."""
    feed = (f'<link rel="alternate" type="application/rss+xml" href="{feed_url}">'
            if feed_url else "")
    items = "".join(f"<li><a href='{url}'>{url}</a></li>" for url in links)
    return (f"<!DOCTYPE html><html><head><title>Il blog di casa</title>{feed}"
            f"<meta property='og:type' content='website'></head><body>{NAVIGATION}"
            f"<ul class='posts'>{items}</ul>{FOOTER}</body></html>")


def rss_of_excerpts(site_url: str, posts: list[tuple[str, str, str]]) -> str:
    """A WordPress "Summary" feed: each post (title, absolute URL, excerpt) with its
    excerpt cut as WordPress cuts it ("... [&#8230;]") and no content:encoded."""
    items = "".join(f"<item><title>{escape(title)}</title><link>{escape(url)}</link>"
                    f"<guid isPermaLink='false'>{escape(url)}?p</guid>"
                    f"<description><![CDATA[<p>{escape(excerpt)} [&#8230;]</p>]]></description>"
                    "</item>" for title, url, excerpt in posts)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Il blog di casa</title><link>{site_url}/</link>{items}</channel></rss>")
