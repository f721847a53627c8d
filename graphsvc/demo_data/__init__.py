"""Data tables behind the demo dataset and the generator: areas, communities and invented actors.

Everything about actors here is fictional: organisations, institutions, funds, people, Chamber of
Commerce numbers (all start with ``99``) and e-mail addresses (all at ``example.org``). Area names
are real; see :mod:`graphsvc.demo_data.places` for how their codes were chosen.
"""
