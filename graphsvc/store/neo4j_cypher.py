"""The Cypher the Neo4j store runs: constant query strings with parameters, nothing built per call.

How the graph is laid out in Neo4j (schema 3; ``docs/neo4j.md`` is the user's guide)
-----------------------------------------------------------------------------------
* Every domain node carries its label from :data:`graphsvc.model.LABELS` and the common label
  ``:GNode`` (one index for a lookup by id whatever the label; ids are unique across labels),
  with ``id``, ``version``, ``created_at``, ``updated_at`` and its domain properties as native
  properties by the rule of :mod:`graphsvc.store.neo4j_props`.
* A relationship is a real Neo4j relationship of its type from :data:`graphsvc.model.REL_TYPES`
  with ``key`` (``""`` unless parallel ones are told apart, e.g. a grant id), ``version``,
  ``created_at``, ``updated_at`` and its domain properties by the same rule.
* Bookkeeping, apart from the domain graph (no relationships to it, labels none of the model's):
  one ``:GMeta {key: 'graph'}`` node holds ``revision``, ``event_seq`` (the last tie event number),
  ``change_seq`` and ``schema_version``; every write transaction locks it first, so writers take
  turns as they do on SQLite. Tie history: ``:TieEvent`` nodes numbered by ``seq``. Change log:
  ``:GChange`` nodes numbered by ``seq`` with the fields of :class:`graphsvc.model.ChangeEvent`
  and the old and new values as JSON text ``old_json`` / ``new_json`` (``created_at`` /
  ``updated_at`` left out when they equal ``at``).

Labels and relationship types cannot be query parameters in Cypher 5. Where one varies, the query
comes from a dict with one constant string per label or type of the fixed vocabulary, made once
at import time from the model's names (checked to be plain identifiers): a user's string never
becomes Cypher text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final, LiteralString, cast

from graphsvc.model import LABELS, REL_TYPES

__all__ = [
    "per_name",
    "SCHEMA",
    "INSPECT",
    "CREATE_META",
    "BEGIN_WRITE",
    "FINISH_WRITE",
    "REVISION",
    "PING",
    "IS_EMPTY",
    "NODE_STATE",
    "GET_NODE",
    "GET_NODES",
    "WRITE_NODES",
    "NODE_RELS",
    "DELETE_NODE",
    "REL_STATE",
    "RELS_FROM",
    "GET_REL",
    "GET_RELS",
    "WRITE_RELS",
    "CREATE_NODES",
    "CREATE_RELS",
    "STAMP_NODES",
    "STAMP_RELS",
    "DELETE_REL",
    "NODE_PAGE",
    "NODE_PAGES_OF",
    "REL_PAGE",
    "RELS_OF",
    "ADD_EVENTS",
    "EVENT_PAGE",
    "PAIR_EVENTS",
    "ACTOR_EVENTS",
    "COUNT_NODES",
    "COUNT_RELS",
    "UPGRADE_META",
    "ADD_CHANGES",
    "CHANGES_SINCE",
    "CHANGES",
    "NODE_CHANGES",
    "CHANGES_HOLDING",
    "REWRITE_CHANGES",
]

_IDENTIFIER = re.compile(r"[A-Z][A-Za-z_]*")


def per_name(names: Iterable[str], template: LiteralString) -> Mapping[str, LiteralString]:
    """One query per label or type: ``NAME`` in the template replaced by each fixed name."""
    out: dict[str, LiteralString] = {}
    for name in names:
        if not _IDENTIFIER.fullmatch(name):  # the vocabulary is code, but check anyway
            raise ValueError(f"{name!r} cannot be used as a Neo4j label or type")
        out[name] = cast(LiteralString, template.replace("NAME", name))
    return MappingProxyType(out)


_LABEL: Final = "head([l IN labels(n) WHERE l <> 'GNode'])"  # a domain node's one model label


def _text(value: LiteralString) -> LiteralString:
    """A temporal value as ``[text, 0]`` (no stored list mixes text and numbers), else as it is."""
    return ("CASE WHEN " + value + " IS :: DATE NOT NULL OR " + value + " IS :: ZONED DATETIME NOT NULL OR "
            + value + " IS :: LOCAL DATETIME NOT NULL THEN [toString(" + value + "), 0] ELSE " + value + " END")


#: The temporal properties Goudkaart itself writes, read as text: the driver decodes text many
#: times faster than DATE and DATETIME values (others still arrive as values, just slower).
TEXT_KEYS: Final[tuple[LiteralString, ...]] = (
    "created_at", "updated_at", "since", "changed_at", "confirmed_at", "start", "end",
)


def stored_map(var: LiteralString, keys: tuple[LiteralString, ...] = TEXT_KEYS,
               extra: LiteralString = "") -> LiteralString:
    """``var``'s properties as a map, the ``keys`` given as :func:`_text` makes them (null where
    absent: the reader drops nulls) and ``extra`` entries (e.g. ``version: null``) last."""
    entries = ", ".join(["`" + k + "`: " + _text(var + ".`" + k + "`") for k in keys])
    return var + " {.*, " + entries + (", " + extra if extra else "") + "}"


def _set_temporal(var: LiteralString, temporal: LiteralString) -> LiteralString:
    """After the map of a write is set: the dates and date-times of ``temporal`` (a list of
    ``[key, text, kind]``, see :func:`graphsvc.store.neo4j_props.as_sent`) made from their text
    by the server. The driver would make them in Python, at ~0.1 ms a value."""
    return ("FOREACH (t IN " + temporal + " | SET " + var + "[t[0]] = CASE t[2] WHEN 'd' THEN date(t[1]) "
            "WHEN 'l' THEN localdatetime(t[1]) ELSE datetime(t[1]) END)")


_N: Final = stored_map("n", ("created_at", "updated_at"))
_R: Final = stored_map("r")

#: The domain schema: a uniqueness constraint on ``id`` per model label (and on ``GNode.id``,
#: the lookup by id whatever the label), area codes indexed, names searchable, filtered
#: relationship properties indexed. Created (IF NOT EXISTS) whenever a store starts.
DOMAIN_SCHEMA: Final[tuple[LiteralString, ...]] = (
    "CREATE CONSTRAINT goudkaart_node_id IF NOT EXISTS FOR (n:GNode) REQUIRE n.id IS UNIQUE",
    *per_name(LABELS, "CREATE CONSTRAINT goudkaart_NAME_id IF NOT EXISTS "
                       "FOR (n:NAME) REQUIRE n.id IS UNIQUE").values(),
    # an index, not a uniqueness constraint: the store contract (and SQLite) accept two areas
    # with one code, and Neo4j must not refuse a write the other store takes
    "DROP CONSTRAINT goudkaart_Neighbourhood_code IF EXISTS",
    "CREATE INDEX goudkaart_area_code IF NOT EXISTS FOR (n:Neighbourhood) ON (n.code)",
    "CREATE FULLTEXT INDEX goudkaart_names IF NOT EXISTS FOR (n:GNode) ON EACH [n.name]",
    "CREATE INDEX goudkaart_tie_rung IF NOT EXISTS FOR ()-[r:TIE]-() ON (r.rung)",
    "CREATE INDEX goudkaart_tie_since IF NOT EXISTS FOR ()-[r:TIE]-() ON (r.since)",
    "CREATE INDEX goudkaart_funds_year IF NOT EXISTS FOR ()-[r:FUNDS]-() ON (r.year)",
    "CREATE INDEX goudkaart_funds_status IF NOT EXISTS FOR ()-[r:FUNDS]-() ON (r.status)",
)
#: The bookkeeping nodes' schema (meta node, tie history, change log).
BOOKKEEPING_SCHEMA: Final[tuple[LiteralString, ...]] = (
    "CREATE CONSTRAINT goudkaart_meta_key IF NOT EXISTS FOR (m:GMeta) REQUIRE m.key IS UNIQUE",
    "CREATE CONSTRAINT goudkaart_tie_event_seq IF NOT EXISTS "
    "FOR (e:TieEvent) REQUIRE e.seq IS UNIQUE",
    "CREATE INDEX goudkaart_tie_event_a IF NOT EXISTS FOR (e:TieEvent) ON (e.a)",
    "CREATE INDEX goudkaart_tie_event_b IF NOT EXISTS FOR (e:TieEvent) ON (e.b)",
    "CREATE CONSTRAINT goudkaart_change_seq IF NOT EXISTS FOR (c:GChange) REQUIRE c.seq IS UNIQUE",
    "CREATE INDEX goudkaart_change_start IF NOT EXISTS FOR (c:GChange) ON (c.start)",
    "CREATE INDEX goudkaart_change_end IF NOT EXISTS FOR (c:GChange) ON (c.end)",
    "CREATE INDEX goudkaart_change_revision IF NOT EXISTS FOR (c:GChange) ON (c.revision)",
)
SCHEMA: Final[tuple[LiteralString, ...]] = DOMAIN_SCHEMA + BOOKKEEPING_SCHEMA

# what the database holds before the store uses it: our marker node, and whether anything else
INSPECT: Final = (
    "OPTIONAL MATCH (m:GMeta {key: 'graph'}) "
    "RETURN m.schema_version AS schema_version, m.layout AS layout, "
    "EXISTS { MATCH (n) WHERE NOT n:GMeta } AS has_data"
)
CREATE_META: Final = (
    "MERGE (m:GMeta {key: 'graph'}) "
    "ON CREATE SET m.revision = 0, m.event_seq = 0, m.schema_version = $schema_version, m.layout = 2"
)
# SET takes the write lock on the meta node: one writer at a time, until commit or rollback
BEGIN_WRITE: Final = (
    "MERGE (m:GMeta {key: 'graph'}) "
    "ON CREATE SET m.revision = 0, m.event_seq = 0, m.schema_version = $schema_version, m.layout = 2 "
    "SET m.writer = $token "
    "RETURN m.revision AS revision, m.event_seq AS event_seq, coalesce(m.change_seq, 0) AS change_seq"
)
FINISH_WRITE: Final = (
    "MATCH (m:GMeta {key: 'graph'}) "
    "SET m.revision = m.revision + 1, m.event_seq = $event_seq, m.change_seq = $change_seq "
    "REMOVE m.writer"
)
# once a database of an older schema is upgraded (the change log's schema comes with SCHEMA)
UPGRADE_META: Final = (
    "MATCH (m:GMeta {key: 'graph'}) WHERE m.schema_version < $schema_version "
    "SET m.schema_version = $schema_version"
)
REVISION: Final = "OPTIONAL MATCH (m:GMeta {key: 'graph'}) RETURN coalesce(m.revision, 0) AS revision"
PING: Final = "RETURN 1 AS ok"
IS_EMPTY: Final = "MATCH (n:GNode) RETURN n.id AS id LIMIT 1"

# A node comes as ``[label, properties]``, a relationship as ``[type, start, end, properties]``
# (the bookkeeping keys inside the properties); neo4j_props turns them into records.
NODE_STATE: Final = (
    "UNWIND $ids AS id MATCH (n:GNode {id: id}) RETURN " + _LABEL + " AS label, " + _N + " AS props"
)
GET_NODE: Final = "MATCH (n:GNode {id: $id}) RETURN " + _LABEL + " AS label, properties(n) AS props"
GET_NODES: Final = (
    "UNWIND $ids AS id MATCH (n:GNode {id: id}) RETURN " + _LABEL + " AS label, " + _N + " AS props"
)
# ``r.props`` and ``r.temporal`` are the node's whole stored map (id and bookkeeping included;
# see neo4j_props.as_sent) except, on an update, ``created_at``, which stays; the label comes
# from the dict key, never a row
WRITE_NODES: Final = per_name(
    LABELS,
    "UNWIND $rows AS r MERGE (n:GNode {id: r.props.id}) "
    "WITH n, r, n.created_at AS created SET n:NAME, n = r.props " + _set_temporal("n", "r.temporal")
    + " SET n.created_at = coalesce(n.created_at, created)",
)
NODE_RELS: Final = (
    "MATCH (n:GNode {id: $id})-[r]-(:GNode) "
    "RETURN DISTINCT type(r) AS type, startNode(r).id AS start, endNode(r).id AS end, "
    "properties(r) AS props"
)
DELETE_NODE: Final = (
    "MATCH (n:GNode {id: $id}) WITH n, " + _LABEL + " AS label, properties(n) AS props "
    "DETACH DELETE n RETURN label, props"
)

# per requested relationship: the labels of its ends and, when it exists, its stored state
REL_STATE: Final = (
    "UNWIND $keys AS k "
    "OPTIONAL MATCH (a:GNode {id: k.start}) "
    "OPTIONAL MATCH (b:GNode {id: k.end}) "
    "OPTIONAL MATCH (a)-[r]->(b) WHERE type(r) = k.type AND r.key = k.key "
    "RETURN k.i AS i, head([l IN labels(a) WHERE l <> 'GNode']) AS start_label, "
    "head([l IN labels(b) WHERE l <> 'GNode']) AS end_label, " + _R + " AS props"
)
# every relationship leaving the given nodes: one read serves a run of single upserts from one node
RELS_FROM: Final = (
    "UNWIND $starts AS s MATCH (a:GNode {id: s}) OPTIONAL MATCH (a)-[r]->(b:GNode) "
    "RETURN s AS start, head([l IN labels(a) WHERE l <> 'GNode']) AS start_label, type(r) AS type, "
    "b.id AS end, head([l IN labels(b) WHERE l <> 'GNode']) AS end_label, " + _R + " AS props"
)
_REL_FIELDS: Final = "type(r) AS type, a.id AS start, b.id AS end, " + _R + " AS props"
GET_REL: Final = (
    "MATCH (a:GNode {id: $start})-[r]->(b:GNode {id: $end}) "
    "WHERE type(r) = $type AND r.key = $key RETURN " + _REL_FIELDS
)
# many at once: ``$keys`` a list of ``{type, start, end, key}`` (the ends as stored)
GET_RELS: Final = (
    "UNWIND $keys AS k MATCH (a:GNode {id: k.start})-[r]->(b:GNode {id: k.end}) "
    "WHERE type(r) = k.type AND r.key = k.key RETURN " + _REL_FIELDS
)
# as WRITE_NODES: ``r.props`` the whole map (``key`` included), ``created_at`` kept on an update
WRITE_RELS: Final = per_name(
    REL_TYPES,
    "UNWIND $rows AS r "
    "MATCH (a:GNode {id: r.start}) MATCH (b:GNode {id: r.end}) "
    "MERGE (a)-[x:NAME {key: r.props.key}]->(b) "
    "WITH x, r, x.created_at AS created SET x = r.props " + _set_temporal("x", "r.temporal")
    + " SET x.created_at = coalesce(x.created_at, created)",
)
# The bulk path into an empty graph (a migration): whole stored maps, created without a read.
# The rows come as parallel lists indexed by ``i``: a row read as ``r.props`` from an UNWIND
# could be a node for all the planner knows, and it would buffer the batch (an Eager) before
# every SET; a parameter cannot be.
CREATE_NODES: Final = per_name(
    LABELS, "UNWIND range(0, size($props) - 1) AS i CREATE (n:GNode:NAME) SET n += $props[i] "
    + _set_temporal("n", "$temporal[i]"))
CREATE_RELS: Final = per_name(
    REL_TYPES,
    "UNWIND range(0, size($props) - 1) AS i MATCH (a:GNode {id: $starts[i]}) MATCH (b:GNode {id: $ends[i]}) "
    "CREATE (a)-[x:NAME]->(b) SET x += $props[i] " + _set_temporal("x", "$temporal[i]") + " RETURN count(x) AS created",
)
STAMP_NODES: Final = (
    "UNWIND $rows AS r MATCH (n:GNode {id: r.id}) "
    "SET n.version = r.version, n.created_at = coalesce(r.created_at, n.created_at), "
    "n.updated_at = coalesce(r.updated_at, n.updated_at) RETURN count(n) AS found"
)
STAMP_RELS: Final = per_name(
    REL_TYPES,
    "UNWIND $rows AS r "
    "MATCH (:GNode {id: r.start})-[x:NAME {key: r.key}]->(:GNode {id: r.end}) "
    "SET x.version = r.version, x.created_at = coalesce(r.created_at, x.created_at), "
    "x.updated_at = coalesce(r.updated_at, x.updated_at) RETURN count(x) AS found",
)
DELETE_REL: Final = (
    "MATCH (:GNode {id: $start})-[r]->(:GNode {id: $end}) "
    "WHERE type(r) = $type AND r.key = $key "
    "WITH r, properties(r) AS props DELETE r RETURN props"
)

# Whole-graph reads come in pages of one list each: one Bolt message per page instead of per row
# (per-row messages dominated the time of a snapshot). Pages follow the id index (keyset paging);
# the order within a page does not matter, the store sorts in Python.
NODE_PAGE: Final = (
    "MATCH (n:GNode) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $limit "
    "WITH collect(n) AS page RETURN page[-1].id AS last, [n IN page | [" + _LABEL + ", " + _N + "]] AS rows"
)
NODE_PAGES_OF: Final = per_name(
    LABELS,
    "MATCH (n:GNode:NAME) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $limit "
    "WITH collect(n) AS page RETURN page[-1].id AS last, [n IN page | ['NAME', " + _N + "]] AS rows",
)
# the relationships leaving a page of nodes, as one list per node
REL_PAGE: Final = (
    "MATCH (a:GNode) WHERE a.id > $after WITH a ORDER BY a.id LIMIT $limit "
    "WITH collect(a) AS page RETURN page[-1].id AS last, [a IN page | [(a)-[r]->(b:GNode) | "
    "[type(r), a.id, b.id, " + _R + "]]] AS rows"
)
RELS_OF: Final = per_name(REL_TYPES, "MATCH (a:GNode)-[r:NAME]->(b:GNode) RETURN " + _REL_FIELDS)

ADD_EVENTS: Final = "UNWIND $rows AS e CREATE (t:TieEvent) SET t = e"
_EVENT_FIELDS: Final = (
    "e.seq AS seq, e.a AS a, e.b AS b, e.old_rung AS old_rung, e.new_rung AS new_rung, "
    "e.at AS at, e.source AS source, e.session AS session, e.declared_by AS declared_by"
)
EVENT_PAGE: Final = (
    "MATCH (e:TieEvent) WHERE e.seq > $after WITH e ORDER BY e.seq LIMIT $limit "
    "WITH collect(e) AS page RETURN page[-1].seq AS last, [e IN page | "
    "[e.seq, e.a, e.b, e.old_rung, e.new_rung, e.at, e.source, e.session, e.declared_by]] AS rows"
)
PAIR_EVENTS: Final = (
    "MATCH (e:TieEvent) WHERE e.a = $a AND e.b = $b RETURN " + _EVENT_FIELDS + " ORDER BY seq"
)
ACTOR_EVENTS: Final = (
    "MATCH (e:TieEvent) WHERE e.a = $a OR e.b = $a RETURN " + _EVENT_FIELDS + " ORDER BY seq"
)

COUNT_NODES: Final = "MATCH (n:GNode) RETURN " + _LABEL + " AS name, count(*) AS n"
COUNT_RELS: Final = "MATCH (:GNode)-[r]->(:GNode) RETURN type(r) AS name, count(*) AS n"

# -- the change log ----------------------------------------------------------------------------
ADD_CHANGES: Final = "UNWIND $rows AS c CREATE (x:GChange) SET x = c"
_CHANGE_LIST: Final = (
    "[c.seq, c.revision, c.at, c.actor, c.source, c.op, c.kind, c.label, c.start, c.end, c.key, "
    "c.old_json, c.new_json, c.version, c.created_at, c.updated_at]"
)
# the revision and the entries after a revision, in one query (entries come by the revision index)
CHANGES_SINCE: Final = (
    "OPTIONAL MATCH (m:GMeta {key: 'graph'}) "
    "RETURN coalesce(m.revision, 0) AS current, COLLECT { MATCH (c:GChange) WHERE c.revision > $revision "
    "WITH c ORDER BY c.seq LIMIT $limit RETURN " + _CHANGE_LIST + " } AS rows"
)
CHANGES: Final = (
    "MATCH (c:GChange) WHERE c.seq < $before WITH c ORDER BY c.seq DESC LIMIT $limit "
    "RETURN " + _CHANGE_LIST + " AS row"
)
NODE_CHANGES: Final = (
    "CALL { MATCH (c:GChange) WHERE c.start = $id AND c.seq < $before RETURN c "
    "UNION MATCH (c:GChange) WHERE c.end = $id AND c.seq < $before RETURN c } "
    "WITH c ORDER BY c.seq DESC LIMIT $limit RETURN " + _CHANGE_LIST + " AS row"
)
# node entries whose JSON values have a key (``"name":`` in the text), newest first
CHANGES_HOLDING: Final = (
    "MATCH (c:GChange) WHERE c.kind = 'node' AND (c.old_json CONTAINS $needle OR "
    "c.new_json CONTAINS $needle) AND c.seq < $before AND ($id IS NULL OR c.start = $id) "
    "WITH c ORDER BY c.seq DESC LIMIT $limit RETURN " + _CHANGE_LIST + " AS row"
)
REWRITE_CHANGES: Final = (
    "UNWIND $rows AS r MATCH (c:GChange {seq: r.seq}) SET c.old_json = r.old_json, c.new_json = r.new_json"
)
