"""Comments without WordPress markup, read with the CSS selectors a blog source configures
([sources.selectors]: `comment`, and inside it `comment_author`, `comment_date`,
`comment_body`).

Each element matching `comment` is one comment; a reply nested in it is a comment of its
own, and its author, date and text are not its parent's. A comment is known by its
element's id when it has one (its URL is the page's with that anchor), else by a hash of
its author and date (spiders.identity.written_id; a relative date such as "2 giorni fa"
is left out of it, as it changes from day to day).
"""

from __future__ import annotations

import copy

from lxml import html as lxml_html
from parsel import css2xpath

from spiders.html_text import html_to_text
from spiders.identity import written_id
from spiders.posts import Comment, extract_comments
from spiders.ratings import is_relative_date
from spiders.review_selectors import element_date


def read_comments(page, selectors: dict) -> list[Comment]:
    """The comments on `page` (a parsel Selector, as Scrapy's response.selector): with the
    source's `comment` selector when it has one, else from WordPress markup."""
    if selectors.get("comment"):
        return comments_from_selectors(page, selectors)
    return extract_comments(page.root)


def comments_from_selectors(page, selectors: dict) -> list[Comment]:
    """Every comment on `page` (a parsel Selector of the page) that has some text."""
    nodes = page.css(selectors["comment"])
    elements = {node.root for node in nodes}
    comments = []
    for node in nodes:
        text = _body(node, selectors.get("comment_body"), elements)
        if not text:
            continue
        author_node = _own(node, selectors.get("comment_author"), elements)
        author = html_to_text(author_node.get()) if author_node is not None else ""
        date, written = element_date(_own(node, selectors.get("comment_date"), elements))
        anchor = node.attrib.get("id", "")
        identity = "" if is_relative_date(written) else date or written
        comments.append(Comment(anchor=anchor, text=text, author=author, date=date,
                                entry_id=anchor or written_id("comment", author, identity,
                                                              text)))
    return comments


def comment_xpath(selectors: dict) -> list[str]:
    """The XPath of the configured comment elements, to keep them out of the post
    (spiders.posts.extract_post's `drop`)."""
    return [css2xpath(selectors["comment"])] if selectors.get("comment") else []


def _own(node, selector: str | None, comments: set):
    """The first match of `selector` inside `node` that is not inside a nested comment."""
    if not selector:
        return None
    for found in node.css(selector):
        if _comment_of(found.root, comments) is node.root:
            return found
    return None


def _comment_of(element, comments: set):
    while element is not None and element not in comments:
        element = element.getparent()
    return element


def _body(node, selector: str | None, comments: set) -> str:
    if selector:
        found = _own(node, selector, comments)
        return html_to_text(found.get()) if found is not None else ""
    body = copy.deepcopy(node.root)
    nested = [copied for original, copied in zip(node.root.iter(), body.iter(), strict=True)
              if original is not node.root and original in comments]
    for element in nested:
        element.drop_tree()
    return html_to_text(lxml_html.tostring(body, encoding="unicode", with_tail=False))
