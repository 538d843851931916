"""Text helpers: safe Markdown and a search key that works for Arabic and French."""

import re
import unicodedata

from markdown_it import MarkdownIt
from markupsafe import Markup

# "js-default": CommonMark without raw HTML (it is shown as text) and with
# dangerous link schemes (javascript:, vbscript:, data: but images) refused.
_md = MarkdownIt("js-default").disable(["image"])


def _link_open(self, tokens, idx, options, env):
    tokens[idx].attrSet("rel", "nofollow ugc noopener")
    return self.renderToken(tokens, idx, options, env)


_md.add_render_rule("link_open", _link_open)


def render_markdown(text: str) -> Markup:
    """HTML for a user's Markdown: markdown-it escapes every raw tag and attribute,
    so the result is safe to insert as is."""
    return Markup(_md.render(text or ""))


def plain_excerpt(text: str, length: int = 240) -> str:
    """The first words of a Markdown text without its marks (escaped when shown)."""
    plain = re.sub(r"[#*_>`~\[\]()!|-]+", " ", text or "")
    plain = " ".join(plain.split())
    return plain if len(plain) <= length else plain[: length - 1].rstrip() + "…"


_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ـ": None,  # tatweel
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
    }
)


def normalise(text: str) -> str:
    """Lower case, without diacritics (Arabic harakat, French accents), with alef,
    ya, ta marbuta and hamza seats folded and tatweel dropped; spaces collapsed."""
    folded = (text or "").translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.translate(_ARABIC_FOLD).casefold().replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def search_terms(query: str) -> list[str]:
    """The words of a query, normalised, at most 8, one letter words dropped."""
    return [word for word in normalise(query).split() if len(word) > 1][:8]


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
