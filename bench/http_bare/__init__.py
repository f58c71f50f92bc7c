"""The production settings plus one bare view, for ``bench/screening_http.py``'s baseline."""
