"""The demo: its dataset (:mod:`graphsvc.demo.dataset`), the tables behind it and the generator
that builds on them: areas, communities and invented actors.

Everything about actors here is fictional: organisations, institutions, funds, people, Chamber of
Commerce numbers (all start with ``99``) and e-mail addresses (all at ``example.org``). Area names
are real; see :mod:`graphsvc.demo.places` for how their codes were chosen.
"""
