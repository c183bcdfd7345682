"""Sphinx configuration of the book's website (``python3 tasks.py site``; scripts/site_build.py prepares the
sources: copies of the committed notebooks, explorers replaced by their saved figure). Nothing is
executed and nothing is downloaded at build time."""

project = "dlbook: why are deep networks hard to train?"
author = "dlbook authors"
copyright = "dlbook authors"

extensions = ["myst_nb"]
root_doc = "index"                      # the preface (question index), copied as index.ipynb
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# the committed notebooks carry their outputs: render them, never execute
nb_execution_mode = "off"
nb_merge_streams = True
# explorers: scripts/site_build.py keeps only their saved PNG (no widget JavaScript from a CDN)
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath", "html_image", "colon_fence"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "Why are deep networks hard to train?"
html_static_path = []
html_theme_options = {
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None
html_copy_source = False
language = "en"
html_search_language = "en"             # bilingual: see BilingualSearch below



_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _han_terms(text):
    """Chinese words are not separated by spaces: index every character and every pair of neighbouring
    characters of each run of Han characters (the bigrams of Lucene's CJKAnalyzer). The page's search
    box splits a query the same way (``SPLIT_QUERY``) and asks for all of its pieces, so any Chinese
    phrase that occurs in the text is found, without a dictionary."""
    import re
    terms = []
    for run in re.findall(f"[{_HAN}]+", text):
        terms.extend(run)
        terms.extend(run[i:i + 2] for i in range(len(run) - 1))
    return terms


SPLIT_QUERY = """
var splitQuery = (query) => {
  const terms = [];
  for (const word of query.split(/[^\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu)) {
    if (!word) continue;
    for (const part of word.split(/([%s]+)/u)) {
      if (!part) continue;
      if (!/^[%s]/u.test(part)) { terms.push(part); continue; }
      if (part.length === 1) { terms.push(part); continue; }
      for (let i = 0; i + 1 < part.length; i++) terms.push(part.slice(i, i + 2));
    }
  }
  return terms;
};
""" % (_HAN, _HAN)


def setup(app):
    from sphinx import search
    from sphinx.search.en import SearchEnglish

    class BilingualSearch(SearchEnglish):
        """English search (stemmed words) that also indexes Chinese: see ``_han_terms``. (Sphinx's own
        "zh" search needs the jieba dictionary on both sides, and in Sphinx 9.0 its page script refers
        to an undefined ChineseStemmer, so the search page never answers.)"""
        js_splitter_code = SPLIT_QUERY

        def split(self, input):
            return super().split(input) + _han_terms(input)

        def stem(self, word):
            return word if word[:1] and "\u3400" <= word[0] <= "\ufaff" else super().stem(word)

    search.languages["en"] = BilingualSearch
    return {"parallel_read_safe": True, "parallel_write_safe": True}
