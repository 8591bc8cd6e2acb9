"""Is a feed entry only an excerpt of its page?

Many feeds carry a cut summary instead of the post: WordPress's "Summary" feeds ("...
[…]"), most news sites, Blogger's snippets. Such an entry is followed to its page for
the whole text (spiders.follow). An entry is an excerpt when its text ends with a link
or words leading to the rest ("[…]", "(continua)", "Leggi tutto", "Continue reading",
"Read more", a "more-link"; WordPress's "The post X appeared first on Y." after it or
not), or, when it has no full content (RSS content:encoded, Atom content), when its
summary is empty (a feed of titles), or is short (at most SHORT_WORDS words) and ends
with "..." or "…", or stops in the middle of a sentence after CUT_AFTER_WORDS words or
more (a summary cut at a length). A long text is a whole post even if it ends oddly (in
code, a list, the author's own "..."), and a short summary that ends its sentence is
taken as the whole text: `full_text = "always"` follows those too.
"""

from __future__ import annotations

import re

CUT_AFTER_WORDS = 40
SHORT_WORDS = 150
# Phrases that end an excerpt with a link to the rest; short words only between brackets
# or before an arrow ("(continua)", "More »"), as they may end a real sentence too.
READ_ON = (r"leggi tutto|leggi di più|leggi l'articolo( completo)?|leggi il resto"
           r"|continua a leggere|continue reading|read more|read the rest"
           r"|read (the )?full (article|story|post)|keep reading|weiterlesen|lire la suite"
           r"|seguir leyendo|leer más")
SHORT = r"more|continua|segue|continue|altro"
TAIL = r"[\s»›→>.…]*$"
READ_ON_MARK = re.compile(
    r"([\[(]\s*(\.\.\.|…|" + SHORT + "|" + READ_ON + r")\s*[\])]"
    # "Continue reading “The title” →": the post's title may follow the phrase.
    r"|\b(" + READ_ON + r")\b(\s+[\"“«'‘].{0,200}?[\"”»'’])?"
    r"|\b(" + SHORT + r")\s*[»›→]+)" + TAIL, re.IGNORECASE)
ELLIPSIS = re.compile(r"(\.\.\.|…)" + TAIL)
# WordPress adds this line after the excerpt of every post in its feeds.
APPEARED_FIRST = re.compile(
    r"\s*(The post .{1,300}? appeared first on .{1,200}?|L'articolo .{1,300}? sembra essere "
    r"il primo su .{1,200}?)\.?\s*$", re.IGNORECASE | re.DOTALL)
MORE_LINK = re.compile(r"""class\s*=\s*["'][^"']*\b(more-link|read-more|readmore)\b""",
                       re.IGNORECASE)
MID_SENTENCE = re.compile(r"[\w,]$")  # a word or a comma last: no sentence ends so


def is_excerpt(text: str, html: str, has_full_content: bool) -> bool:
    """Whether an entry whose text is `text` (from `html`) is a cut version of its page;
    `has_full_content` when the feed gave a content element besides the summary."""
    text = APPEARED_FIRST.sub("", text).strip()
    if READ_ON_MARK.search(text) or MORE_LINK.search(html or ""):
        return True
    if has_full_content:
        return False
    if not text:
        return True  # a feed of titles
    words = len(text.split())
    if words > SHORT_WORDS:
        return False
    cut = words >= CUT_AFTER_WORDS and bool(MID_SENTENCE.search(text))
    return bool(ELLIPSIS.search(text)) or cut
