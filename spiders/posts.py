"""A blog post's main text (trafilatura) and its comments, each comment on its own.

trafilatura leaves out navigation, ads and boilerplate; the comment section is pruned
before it reads the page, so a comment never becomes part of the post. Comments are read
from WordPress markup (classic `ol.commentlist li.comment`, HTML5 `ol.comment-list`
with `article.comment-body`, and `div.comment`): each element with the class "comment"
and an id "comment-N", without the replies nested in it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import trafilatura

from spiders.html_text import html_to_text
from spiders.ratings import parse_date_text

COMMENT = ('//*[contains(concat(" ", normalize-space(@class), " "), " comment ")]'
           '[starts-with(@id, "comment-")]')
COMMENT_ID = re.compile(r"^comment-(\d+)$")
COMMENT_SECTION = ["//*[@id='comments']", "//*[@id='respond']",
                   "//ol[contains(@class, 'comment')]", "//*[contains(@class, 'commentlist')]"]
# Parts of a comment element that are not what the commenter wrote.
NOT_BODY = ["comment-author", "comment-meta", "commentmetadata", "comment-metadata", "reply",
            "comment-reply-link", "children", "says", "comment-awaiting-moderation",
            "comment-footer"]
AUTHOR = ['.//*[contains(@class, "comment-author")]//*[contains(@class, "fn")]',
          './/*[contains(@class, "comment-author")]//cite',
          './/*[contains(@class, "comment-author")]']


@dataclass
class Post:
    url: str
    title: str
    text: str
    author: str
    date: str | None


@dataclass
class Comment:
    anchor: str  # the element's id, "" when it has none
    text: str
    author: str
    date: str | None
    entry_id: str = ""  # the anchor, or spiders.identity.written_id's

    def url(self, page_url: str) -> str:
        """The comment's address: its page with its anchor."""
        return comment_url(page_url, self.anchor) if self.anchor else page_url


def extract_post(tree, url: str, drop: list[str] = ()) -> Post | None:
    """The main text and metadata of the post on the page parsed as `tree` (an lxml
    element, left unchanged), or None when the page has no main text. The comment section
    is no part of it, nor the elements of the XPath expressions `drop`."""
    tree = copy.deepcopy(tree)
    for xpath in [*COMMENT_SECTION, *drop]:  # before trafilatura reads the author, too
        for node in tree.xpath(xpath):
            if node.getparent() is not None:
                node.drop_tree()
    document = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, with_metadata=True, include_tables=True,
        favor_precision=True,  # a mention must not be matched in a menu or a widget
    )
    if document is None or not (document.text or "").strip():
        return None
    return Post(url=url, title=document.title or "", text=document.text.strip(),
                author=document.author or "", date=document.date or None)


def extract_comments(tree) -> list[Comment]:
    """Every comment on the page parsed as `tree` (an lxml element), replies included,
    each without the text of its replies."""
    comments = []
    for element in tree.xpath(COMMENT):
        match = COMMENT_ID.match(element.get("id", ""))
        if not match:
            continue
        text = _body(element)
        if text:
            anchor = f"comment-{match.group(1)}"
            comments.append(Comment(anchor=anchor, text=text, author=_author(element),
                                    date=_date(element), entry_id=anchor))
    return comments


def _own(element, xpath: str) -> list:
    """Matches of `xpath` under `element` that do not belong to a nested reply."""
    return [found for found in element.xpath(xpath) if _owner(found) is element]


def _owner(node):
    node = node.getparent()
    while node is not None:
        if COMMENT_ID.match(node.get("id", "")) and "comment" in node.get("class", "").split():
            return node
        node = node.getparent()
    return None


def _author(element) -> str:
    for xpath in AUTHOR:
        found = _own(element, xpath)
        if found:
            return " ".join(found[0].text_content().split())
    return ""


def _date(element) -> str | None:
    for time in _own(element, ".//time[@datetime]"):
        parsed = parse_date_text(time.get("datetime"))
        if parsed:
            return parsed
    for meta in _own(element, './/*[contains(@class, "comment-meta")]//a'):
        parsed = parse_date_text(meta.text_content())
        if parsed:
            return parsed
    return None


def _body(element) -> str:
    content = _own(element, './/*[contains(@class, "comment-content")]')
    if content:
        return html_to_text(_html(content[0]))
    body = copy.deepcopy(element)
    for name in NOT_BODY:
        xpath = f'.//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]'
        for node in body.xpath(xpath):
            node.drop_tree()  # keeps the text that follows the node
    for node in body.xpath(COMMENT[1:] + " | .//script | .//style | .//form"):
        if node.getparent() is not None:
            node.drop_tree()
    return html_to_text(_html(body))


def _html(element) -> str:
    from lxml import html as lxml_html

    return lxml_html.tostring(element, encoding="unicode")


def comment_url(page_url: str, anchor: str) -> str:
    """The address of a comment: its page with the comment's anchor."""
    return urljoin(page_url, "#" + anchor)
