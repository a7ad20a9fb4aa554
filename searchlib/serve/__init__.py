"""``searchlib serve``: an HTTP JSON API and a bilingual search page over an index."""
