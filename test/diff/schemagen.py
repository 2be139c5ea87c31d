#!/usr/bin/python3
"""schemagen.py -- random schema pairs for mig_diff's property test.

A schema is a plain Python structure (see Schema) rendered to SQL with any
schema name.  random_schema(rng) builds one; mutate(rng, schema) derives a
second one from it by a random number of random changes (add, drop and
change every kind of object mig_diff covers).  Columns are only ever
appended, as migrations do: PostgreSQL cannot insert a column in the
middle, and mig_diff does not pretend to.

Everything is driven by one random.Random, so a seed reproduces a pair.
"""

import copy
import random

TYPES = ["integer", "bigint", "text", "varchar(20)", "varchar(40)", "numeric(10,2)",
         "boolean", "timestamptz", "date", "jsonb", "uuid", "smallint", "real"]
# type changes that USING col::newtype can carry out on any data
WIDENINGS = {
    "integer": ["bigint", "numeric(10,2)", "text"],
    "smallint": ["integer", "bigint"],
    "bigint": ["numeric(20,0)", "text"],
    "varchar(20)": ["varchar(40)", "text"],
    "varchar(40)": ["text"],
    "text": ["varchar(40)"],
    "numeric(10,2)": ["numeric(12,2)", "text"],
    "date": ["timestamptz"],
    "real": ["double precision"],
}
DEFAULTS = {
    "integer": ["0", "1", "42"], "bigint": ["0", "7"], "smallint": ["1"],
    "text": ["'x'", "''", "'hello'"], "varchar(20)": ["'a'"], "varchar(40)": ["'b'"],
    "numeric(10,2)": ["0", "1.5"], "boolean": ["true", "false"],
    "timestamptz": ["now()", "'2020-01-01'"], "date": ["CURRENT_DATE"],
    "jsonb": ["'{}'"], "uuid": [], "real": ["0"],
}
ROLE = "schemagen_role"


def ident(n):
    return '"%s"' % n if not n.islower() or not n.replace("_", "").isalnum() else n


class Schema:
    """A schema: dicts of objects by name."""

    def __init__(self):
        self.enums = {}        # name -> [labels]
        self.domains = {}      # name -> dict(base, check, notnull, default, comment)
        self.composites = {}   # name -> [(attr, type)]
        self.sequences = {}    # name -> dict(increment, cache, cycle, comment)
        self.tables = {}       # name -> dict (see new_table)
        self.views = {}        # name -> dict(table, cols, where, materialized, comment, options)
        self.functions = {}    # name -> dict(kind, body, returns, volatility, comment, table)
        self.counter = 0

    def fresh(self, prefix):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

def new_column(rng, s, t, name=None):
    typ = rng.choice(TYPES)
    col = {"name": name or s.fresh("c"), "type": typ, "notnull": False, "default": None,
           "identity": None, "generated": None, "storage": None, "statistics": None,
           "comment": None, "collate": None}
    r = rng.random()
    if r < 0.15 and s.enums:
        col["type"] = "%SCHEMA%." + rng.choice(sorted(s.enums))
        if rng.random() < 0.3:
            col["default"] = "'%s'::%%SCHEMA%%.%s" % (s.enums[col["type"].split(".")[1]][0],
                                                     col["type"].split(".")[1])
    elif r < 0.22 and s.domains:
        col["type"] = "%SCHEMA%." + rng.choice(sorted(s.domains))
    elif r < 0.27 and s.sequences and typ in ("integer", "bigint"):
        col["default"] = "nextval('%%SCHEMA%%.%s'::regclass)" % rng.choice(sorted(s.sequences))
    else:
        if rng.random() < 0.3 and DEFAULTS.get(typ):
            col["default"] = rng.choice(DEFAULTS[typ])
        if rng.random() < 0.3:
            col["notnull"] = True
        if typ == "text" and rng.random() < 0.1:
            col["collate"] = '"C"'
        if typ == "text" and rng.random() < 0.1:
            col["storage"] = rng.choice(["MAIN", "EXTERNAL"])
        if rng.random() < 0.08:
            col["statistics"] = rng.choice([50, 500])
    if rng.random() < 0.1:
        col["comment"] = "column %s" % col["name"]
    return col


def new_table(rng, s):
    name = s.fresh("t")
    t = {"name": name, "columns": [], "pk": None, "uniques": {}, "checks": {}, "fks": {},
         "indexes": {}, "comment": None, "rls": False, "force_rls": False, "policies": {},
         "triggers": {}, "unlogged": False, "options": None, "grants": set(),
         "partition_by": None, "partitions": {}}
    idcol = {"name": "id", "type": "integer", "notnull": True, "default": None,
             "identity": None, "generated": None, "storage": None, "statistics": None,
             "comment": None, "collate": None}
    r = rng.random()
    if r < 0.3:
        idcol["type"] = "bigint"
        idcol["identity"] = rng.choice(["ALWAYS", "BY DEFAULT"])
    elif r < 0.5:
        idcol["type"] = "serial"
    t["columns"].append(idcol)
    for _ in range(rng.randint(1, 5)):
        t["columns"].append(new_column(rng, s, t))
    if rng.random() < 0.9:
        t["pk"] = ["id"]
    if rng.random() < 0.1:
        ints = [c for c in t["columns"] if c["type"] in ("integer", "bigint", "numeric(10,2)")
                and not c["generated"] and c["name"] != "id"]
        if ints:
            t["columns"].append({"name": s.fresh("g"), "type": "bigint", "notnull": False,
                                 "default": None, "identity": None,
                                 "generated": "(%s)::bigint * 2" % ints[0]["name"],
                                 "storage": None, "statistics": None, "comment": None,
                                 "collate": None})
    if rng.random() < 0.2:
        t["unlogged"] = True
    if rng.random() < 0.2:
        t["options"] = rng.choice(["fillfactor=70", "autovacuum_enabled=false",
                                   "fillfactor=80, autovacuum_enabled=true"])
    if rng.random() < 0.2:
        t["comment"] = "table %s" % name
    for _ in range(rng.randint(0, 2)):
        add_index(rng, s, t)
    if rng.random() < 0.3:
        add_check(rng, s, t)
    if rng.random() < 0.2:
        add_unique(rng, s, t)
    if rng.random() < 0.1:
        t["partition_by"] = "RANGE (id)"
        t["pk"] = None
        t["unlogged"] = False
        t["options"] = None
        for c in t["columns"]:
            c["identity"] = None
            if c["type"] == "serial":
                c["type"] = "integer"
            c["generated"] = None
        t["uniques"] = {}
        t["indexes"] = {k: v for k, v in t["indexes"].items() if not v["where"]}
        t["partitions"] = {name + "_p1": "FROM (0) TO (1000)", name + "_p2": "FROM (1000) TO (2000)"}
    return t


def add_index(rng, s, t):
    cols = [c for c in t["columns"] if c["type"] not in ("jsonb",) and not c["generated"]]
    if not cols:
        return
    if t.get("partition_by"):
        # the partitions' indexes get names PostgreSQL chooses (c_idx,
        # c_idx1, ...) in creation order: keep one index per column there
        used = set(i["cols"][0] for i in t["indexes"].values())
        cols = [c for c in cols if c["name"] not in used]
        if not cols:
            return
    c = rng.choice(cols)
    name = s.fresh("i")
    idx = {"cols": [c["name"]], "unique": False, "where": None, "desc": False, "include": None,
           "comment": None}
    if rng.random() < 0.2 and len(cols) > 1 and not t.get("partition_by"):
        idx["cols"].append(rng.choice([x["name"] for x in cols if x["name"] != c["name"]]))
    if rng.random() < 0.2 and not t.get("partition_by"):
        idx["where"] = "%s IS NOT NULL" % c["name"]
    if rng.random() < 0.15:
        idx["desc"] = True
    if rng.random() < 0.1 and not t.get("partition_by"):
        # (rebuilding a partitioned index copies its comment to the
        # partitions' indexes: a PostgreSQL quirk, not a difference)
        idx["comment"] = "index %s" % name
    t["indexes"][name] = idx


def add_check(rng, s, t):
    nums = [c for c in t["columns"] if c["type"] in ("integer", "bigint", "smallint", "numeric(10,2)")
            and not c["generated"]]
    if not nums:
        return
    c = rng.choice(nums)
    t["checks"][s.fresh("ck")] = {"expr": "%s >= %d" % (c["name"], rng.randint(-5, 0)),
                                  "not_valid": False}


def add_unique(rng, s, t):
    cols = [c for c in t["columns"] if c["type"] in ("integer", "bigint", "text", "uuid")
            and c["name"] != "id" and not c["generated"]]
    if not cols:
        return
    c = rng.choice(cols)
    t["uniques"][s.fresh("uq")] = {"cols": [c["name"]],
                                   "nulls_not_distinct": rng.random() < 0.3}


def add_fk(rng, s, t):
    targets = [x for x in s.tables.values() if x["pk"] == ["id"] and not x["partition_by"]
               and not x["unlogged"]]
    if not targets or t["partition_by"]:
        return
    ref = rng.choice(targets)
    reftype = [c for c in ref["columns"] if c["name"] == "id"][0]["type"]
    reftype = {"serial": "integer"}.get(reftype, reftype)
    col = {"name": s.fresh("fk"), "type": reftype, "notnull": False, "default": None,
           "identity": None, "generated": None, "storage": None, "statistics": None,
           "comment": None, "collate": None}
    t["columns"].append(col)
    t["fks"][s.fresh("fk")] = {"col": col["name"], "ref": ref["name"],
                               "on_delete": rng.choice(["NO ACTION", "CASCADE", "SET NULL", "RESTRICT"]),
                               "deferrable": rng.random() < 0.2, "not_valid": False}


def add_view(rng, s):
    tables = [t for t in s.tables.values() if t["columns"]]
    if not tables:
        return
    t = rng.choice(tables)
    cols = [c["name"] for c in t["columns"]]
    rng.shuffle(cols)
    cols = sorted(cols[:rng.randint(1, len(cols))])
    v = {"table": t["name"], "cols": cols, "where": None,
         "materialized": rng.random() < 0.2, "comment": None, "options": None}
    if rng.random() < 0.3:
        v["where"] = "id > %d" % rng.randint(0, 100)
    if not v["materialized"] and rng.random() < 0.15:
        v["options"] = "security_barrier=true"
    if rng.random() < 0.2:
        v["comment"] = "a view"
    s.views[s.fresh("v")] = v
    # a view over a view, sometimes
    if rng.random() < 0.2:
        name = list(s.views)[-1]
        if not s.views[name]["materialized"]:
            s.views[s.fresh("vv")] = {"table": name, "cols": s.views[name]["cols"][:1],
                                      "where": None, "materialized": False, "comment": None,
                                      "options": None, "over_view": True}


def add_function(rng, s):
    tables = [t for t in s.tables.values()]
    name = s.fresh("f")
    r = rng.random()
    if r < 0.4 and tables:
        t = rng.choice(tables)
        s.functions[name] = {"kind": "sql_count", "table": t["name"], "returns": "bigint",
                             "volatility": rng.choice(["STABLE", "VOLATILE"]), "comment": None,
                             "body": "select count(*) from %%SCHEMA%%.%s" % t["name"]}
    elif r < 0.7:
        s.functions[name] = {"kind": "plpgsql", "returns": rng.choice(["integer", "bigint"]),
                             "volatility": "IMMUTABLE", "comment": None,
                             "body": "BEGIN RETURN x + %d; END" % rng.randint(1, 9)}
    else:
        s.functions[name] = {"kind": "trigger", "returns": "trigger", "volatility": "VOLATILE",
                             "comment": None,
                             "body": "BEGIN NEW.id := NEW.id; RETURN NEW; END"}
    if rng.random() < 0.2:
        s.functions[name]["comment"] = "function %s" % name


def add_trigger(rng, s, t):
    trigfs = [n for n, f in s.functions.items() if f["kind"] == "trigger"]
    if not trigfs or t["partition_by"]:
        return
    t["triggers"][s.fresh("trg")] = {"function": rng.choice(trigfs),
                                     "timing": rng.choice(["BEFORE INSERT", "BEFORE UPDATE",
                                                           "BEFORE INSERT OR UPDATE"]),
                                     "enabled": rng.choice([None, None, "DISABLE", "ENABLE ALWAYS"])}


def add_policy(rng, s, t):
    t["rls"] = True
    t["policies"][s.fresh("pol")] = {"cmd": rng.choice(["ALL", "SELECT", "UPDATE"]),
                                     "using": "id > %d" % rng.randint(0, 10),
                                     "permissive": rng.choice(["PERMISSIVE", "RESTRICTIVE"]),
                                     "role": rng.choice(["PUBLIC", ROLE])}


def random_schema(rng):
    s = Schema()
    for _ in range(rng.randint(0, 2)):
        s.enums[s.fresh("e")] = ["l%d" % i for i in range(rng.randint(1, 4))]
    for _ in range(rng.randint(0, 1)):
        s.domains[s.fresh("d")] = {"base": "integer", "check": "VALUE > %d" % rng.randint(-10, 0),
                                   "notnull": False, "default": None, "comment": None}
    for _ in range(rng.randint(0, 1)):
        s.composites[s.fresh("ct")] = [("a", "integer"), ("b", "text")]
    for _ in range(rng.randint(0, 2)):
        s.sequences[s.fresh("s")] = {"increment": rng.choice([1, 2, 10]),
                                     "cache": rng.choice([1, 20]), "cycle": rng.random() < 0.2,
                                     "comment": None}
    for _ in range(rng.randint(1, 5)):
        t = new_table(rng, s)
        s.tables[t["name"]] = t
    for t in list(s.tables.values()):
        if rng.random() < 0.4:
            add_fk(rng, s, t)
    for _ in range(rng.randint(0, 3)):
        add_function(rng, s)
    for t in list(s.tables.values()):
        if rng.random() < 0.3:
            add_trigger(rng, s, t)
        if rng.random() < 0.15:
            add_policy(rng, s, t)
        if rng.random() < 0.2:
            t["grants"].add(rng.choice(["SELECT", "INSERT", "UPDATE"]))
    for _ in range(rng.randint(0, 3)):
        add_view(rng, s)
    return s


# ---------------------------------------------------------------------------
# Mutating
# ---------------------------------------------------------------------------

def used_by_views(s, tname, col=None):
    for v in s.views.values():
        if v["table"] == tname and (col is None or col in v["cols"] or col == "id"):
            return True
    return False


def mutate(rng, s0, nchanges=None):
    s = copy.deepcopy(s0)
    n = nchanges if nchanges is not None else rng.randint(1, 8)
    ops = [m_add_table, m_drop_table, m_add_column, m_drop_column, m_change_type,
           m_toggle_notnull, m_change_default, m_add_index, m_drop_index, m_change_index,
           m_add_check, m_drop_check, m_change_check, m_add_fk, m_drop_fk, m_enum_add,
           m_enum_remove, m_domain_change, m_add_view, m_drop_view, m_change_view,
           m_function_body, m_function_returns, m_drop_function, m_add_function,
           m_trigger_toggle, m_add_trigger, m_policy_change, m_rls_toggle, m_comments,
           m_grants, m_sequence_change, m_add_sequence, m_drop_sequence, m_table_options,
           m_column_storage, m_identity_change, m_unique_change, m_composite_change,
           m_not_valid]
    for _ in range(n):
        rng.choice(ops)(rng, s)
    return s


def pick_table(rng, s, plain=False):
    ts = [t for t in s.tables.values() if not (plain and t["partition_by"])]
    return rng.choice(ts) if ts else None


def m_add_table(rng, s):
    t = new_table(rng, s)
    s.tables[t["name"]] = t
    if rng.random() < 0.5:
        add_fk(rng, s, t)


def drop_dependents_of_table(s, name):
    for vn in [vn for vn, v in s.views.items() if v["table"] == name]:
        drop_view(s, vn)
    for t in s.tables.values():
        for fk in [k for k, f in t["fks"].items() if f["ref"] == name]:
            del t["fks"][fk]
    for fn in [fn for fn, f in s.functions.items() if f.get("table") == name]:
        del s.functions[fn]


def drop_view(s, name):
    if name not in s.views:
        return
    for vn in [vn for vn, v in s.views.items() if v["table"] == name]:
        drop_view(s, vn)
    del s.views[name]


def m_drop_table(rng, s):
    if len(s.tables) <= 1:
        return
    t = pick_table(rng, s)
    drop_dependents_of_table(s, t["name"])
    del s.tables[t["name"]]


def m_add_column(rng, s):
    t = pick_table(rng, s)
    if t:
        c = new_column(rng, s, t)
        if c["notnull"] and c["default"] is None:
            c["default"] = None
            c["notnull"] = False    # adding NOT NULL without default fails on rows; keep it simple
        if t["partition_by"]:
            c["collate"] = None
        t["columns"].append(c)


def m_drop_column(rng, s):
    t = pick_table(rng, s)
    if not t:
        return
    cols = [c for c in t["columns"] if c["name"] != "id" and not used_by_views(s, t["name"], c["name"])
            and not any(f["col"] == c["name"] for f in t["fks"].values())]
    if not cols:
        return
    c = rng.choice(cols)
    t["columns"].remove(c)
    for k in [k for k, i in t["indexes"].items() if c["name"] in i["cols"]]:
        del t["indexes"][k]
    for k in [k for k, ck in t["checks"].items() if ck["expr"].startswith(c["name"] + " ")]:
        del t["checks"][k]
    for k in [k for k, u in t["uniques"].items() if c["name"] in u["cols"]]:
        del t["uniques"][k]
    for g in [g for g in t["columns"] if g["generated"] and g["generated"].startswith("(%s)" % c["name"])]:
        t["columns"].remove(g)


def m_change_type(rng, s):
    t = pick_table(rng, s)
    if not t:
        return
    cols = [c for c in t["columns"] if c["type"] in WIDENINGS and c["name"] != "id"
            and not c["generated"] and not any(f["col"] == c["name"] for f in t["fks"].values())
            and not any(g["generated"] and g["generated"].startswith("(%s)" % c["name"])
                        for g in t["columns"])]
    if not cols:
        return
    c = rng.choice(cols)
    c["type"] = rng.choice(WIDENINGS[c["type"]])
    if c["default"] is not None and c["type"] not in ("text", "bigint", "numeric(12,2)", "numeric(20,0)",
                                                     "varchar(40)", "double precision"):
        c["default"] = None
    if c["collate"] and "char" not in c["type"] and c["type"] != "text":
        c["collate"] = None
    if c["type"] not in ("text", "varchar(40)"):
        c["storage"] = None
        c["collate"] = None
    for k in [k for k, ck in t["checks"].items() if ck["expr"].startswith(c["name"] + " ")]:
        if c["type"] == "text":
            del t["checks"][k]


def m_toggle_notnull(rng, s):
    t = pick_table(rng, s)
    if not t:
        return
    cols = [c for c in t["columns"] if c["name"] != "id" and not c["identity"]]
    if cols:
        c = rng.choice(cols)
        c["notnull"] = not c["notnull"]


def m_change_default(rng, s):
    t = pick_table(rng, s)
    if not t:
        return
    cols = [c for c in t["columns"] if c["type"] in DEFAULTS and DEFAULTS[c["type"]]
            and not c["identity"] and not c["generated"] and c["type"] != "serial"]
    if cols:
        c = rng.choice(cols)
        c["default"] = rng.choice(DEFAULTS[c["type"]] + [None])


def m_add_index(rng, s):
    t = pick_table(rng, s)
    if t:
        add_index(rng, s, t)


def m_drop_index(rng, s):
    t = pick_table(rng, s)
    if t and t["indexes"]:
        del t["indexes"][rng.choice(sorted(t["indexes"]))]


def m_change_index(rng, s):
    t = pick_table(rng, s, plain=True)
    if t and t["indexes"]:
        i = t["indexes"][rng.choice(sorted(t["indexes"]))]
        if i["where"]:
            i["where"] = None
        else:
            i["where"] = "%s IS NOT NULL" % i["cols"][0]


def m_add_check(rng, s):
    t = pick_table(rng, s)
    if t:
        add_check(rng, s, t)


def m_drop_check(rng, s):
    t = pick_table(rng, s)
    if t and t["checks"]:
        del t["checks"][rng.choice(sorted(t["checks"]))]


def m_change_check(rng, s):
    t = pick_table(rng, s)
    if t and t["checks"]:
        ck = t["checks"][rng.choice(sorted(t["checks"]))]
        ck["expr"] = ck["expr"].rsplit(" ", 1)[0] + " %d" % rng.randint(-20, -6)


def m_add_fk(rng, s):
    t = pick_table(rng, s)
    if t:
        add_fk(rng, s, t)


def m_drop_fk(rng, s):
    t = pick_table(rng, s)
    if t and t["fks"]:
        del t["fks"][rng.choice(sorted(t["fks"]))]


def m_not_valid(rng, s):
    t = pick_table(rng, s, plain=True)
    if t and t["checks"]:
        ck = t["checks"][rng.choice(sorted(t["checks"]))]
        ck["not_valid"] = not ck["not_valid"]


def m_enum_add(rng, s):
    if s.enums:
        e = s.enums[rng.choice(sorted(s.enums))]
        e.insert(rng.randint(0, len(e)), s.fresh("n"))


def m_enum_remove(rng, s):
    if s.enums:
        name = rng.choice(sorted(s.enums))
        e = s.enums[name]
        if len(e) > 1:
            # never the first label: column defaults use it
            e.remove(rng.choice(e[1:]))
        elif rng.random() < 0.5:
            e.reverse()


def m_domain_change(rng, s):
    if s.domains:
        d = s.domains[rng.choice(sorted(s.domains))]
        r = rng.random()
        if r < 0.4:
            d["check"] = "VALUE > %d" % rng.randint(-30, -11)
        elif r < 0.7:
            d["default"] = None if d["default"] else "1"
        else:
            d["comment"] = None if d["comment"] else "a domain"


def m_add_view(rng, s):
    add_view(rng, s)


def m_drop_view(rng, s):
    if s.views:
        drop_view(s, rng.choice(sorted(s.views)))


def m_change_view(rng, s):
    vs = [n for n, v in s.views.items() if not v.get("over_view")]
    if vs:
        v = s.views[rng.choice(sorted(vs))]
        r = rng.random()
        if r < 0.5:
            v["where"] = None if v["where"] else "id > 5"
        else:
            t = s.tables.get(v["table"])
            if t:
                extra = [c["name"] for c in t["columns"] if c["name"] not in v["cols"]]
                if extra:
                    v["cols"] = v["cols"] + [rng.choice(extra)]


def m_function_body(rng, s):
    fs = [n for n, f in s.functions.items() if f["kind"] == "plpgsql"]
    if fs:
        f = s.functions[rng.choice(sorted(fs))]
        f["body"] = "BEGIN RETURN x * %d; END" % rng.randint(2, 9)
        f["volatility"] = rng.choice(["IMMUTABLE", "STABLE"])


def m_function_returns(rng, s):
    fs = [n for n, f in s.functions.items() if f["kind"] == "plpgsql"]
    if fs:
        f = s.functions[rng.choice(sorted(fs))]
        f["returns"] = "bigint" if f["returns"] == "integer" else "integer"


def m_drop_function(rng, s):
    fs = [n for n, f in s.functions.items() if f["kind"] != "trigger"]
    if fs:
        del s.functions[rng.choice(sorted(fs))]


def m_add_function(rng, s):
    add_function(rng, s)


def m_trigger_toggle(rng, s):
    ts = [t for t in s.tables.values() if t["triggers"]]
    if ts:
        t = rng.choice(ts)
        tr = t["triggers"][rng.choice(sorted(t["triggers"]))]
        tr["enabled"] = rng.choice([None, "DISABLE", "ENABLE REPLICA", "ENABLE ALWAYS"])
        if rng.random() < 0.3:
            tr["timing"] = "BEFORE DELETE" if tr["timing"] != "BEFORE DELETE" else "BEFORE INSERT"


def m_add_trigger(rng, s):
    t = pick_table(rng, s)
    if t:
        if not any(f["kind"] == "trigger" for f in s.functions.values()):
            s.functions[s.fresh("tf")] = {"kind": "trigger", "returns": "trigger",
                                          "volatility": "VOLATILE", "comment": None,
                                          "body": "BEGIN RETURN NEW; END"}
        add_trigger(rng, s, t)


def m_policy_change(rng, s):
    t = pick_table(rng, s)
    if not t:
        return
    if t["policies"] and rng.random() < 0.5:
        p = t["policies"][rng.choice(sorted(t["policies"]))]
        p["using"] = "id > %d" % rng.randint(11, 20)
        if rng.random() < 0.3:
            p["cmd"] = "DELETE"
    elif t["policies"] and rng.random() < 0.5:
        del t["policies"][rng.choice(sorted(t["policies"]))]
    else:
        add_policy(rng, s, t)


def m_rls_toggle(rng, s):
    t = pick_table(rng, s)
    if t:
        if rng.random() < 0.5:
            t["rls"] = not t["rls"]
        else:
            t["force_rls"] = not t["force_rls"]


def m_comments(rng, s):
    t = pick_table(rng, s)
    if not t:
        return
    r = rng.random()
    if r < 0.4:
        t["comment"] = None if t["comment"] else "changed comment"
    elif r < 0.8:
        c = rng.choice(t["columns"])
        c["comment"] = None if c["comment"] else "col 'quoted' comment"
    elif s.functions:
        f = s.functions[rng.choice(sorted(s.functions))]
        f["comment"] = None if f["comment"] else "fn comment"


def m_grants(rng, s):
    t = pick_table(rng, s)
    if t:
        p = rng.choice(["SELECT", "INSERT", "UPDATE", "DELETE"])
        if p in t["grants"]:
            t["grants"].discard(p)
        else:
            t["grants"].add(p)


def m_sequence_change(rng, s):
    if s.sequences:
        q = s.sequences[rng.choice(sorted(s.sequences))]
        q["increment"] = rng.choice([1, 3, 5])
        q["cycle"] = not q["cycle"]


def m_add_sequence(rng, s):
    s.sequences[s.fresh("s")] = {"increment": 1, "cache": 1, "cycle": False, "comment": None}


def m_drop_sequence(rng, s):
    used = set()
    for t in s.tables.values():
        for c in t["columns"]:
            if c["default"] and "nextval" in c["default"]:
                used.add(c["default"].split(".")[1].split("'")[0])
    free = [q for q in s.sequences if q not in used]
    if free:
        del s.sequences[rng.choice(sorted(free))]


def m_table_options(rng, s):
    t = pick_table(rng, s, plain=True)
    if t:
        r = rng.random()
        if r < 0.5:
            t["options"] = rng.choice([None, "fillfactor=60", "autovacuum_enabled=false"])
        else:
            t["unlogged"] = not t["unlogged"]
            if t["unlogged"]:
                # a logged table cannot reference an unlogged one, nor the reverse
                for o in s.tables.values():
                    if any(f["ref"] == t["name"] for f in o["fks"].values()) or t["fks"]:
                        t["unlogged"] = False


def m_column_storage(rng, s):
    t = pick_table(rng, s)
    if t:
        cols = [c for c in t["columns"] if c["type"] == "text"]
        if cols:
            c = rng.choice(cols)
            c["storage"] = rng.choice([None, "MAIN", "EXTERNAL"])
            c["statistics"] = rng.choice([None, 100, 1000])


def m_identity_change(rng, s):
    t = pick_table(rng, s, plain=True)
    if t:
        c = t["columns"][0]
        if c["identity"]:
            c["identity"] = "ALWAYS" if c["identity"] == "BY DEFAULT" else "BY DEFAULT"


def m_unique_change(rng, s):
    t = pick_table(rng, s, plain=True)
    if t:
        if t["uniques"] and rng.random() < 0.5:
            u = t["uniques"][rng.choice(sorted(t["uniques"]))]
            u["nulls_not_distinct"] = not u["nulls_not_distinct"]
        else:
            add_unique(rng, s, t)


def m_composite_change(rng, s):
    if s.composites:
        c = s.composites[rng.choice(sorted(s.composites))]
        if rng.random() < 0.5 or len(c) < 2:
            c.append((s.fresh("x"), "bigint"))
        else:
            c.pop()


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

def q(s):
    return "'" + s.replace("'", "''") + "'"


def render(s, schema):
    """The SQL that creates schema s in schema `schema` (which exists)."""
    S = ident(schema)
    out = []

    def sub(text):
        return text.replace("%SCHEMA%", S)

    for name, labels in sorted(s.enums.items()):
        out.append("CREATE TYPE %s.%s AS ENUM (%s)" % (S, name, ", ".join(q(l) for l in labels)))
    for name, d in sorted(s.domains.items()):
        out.append("CREATE DOMAIN %s.%s AS %s%s%s CONSTRAINT %s_check CHECK (%s)" % (
            S, name, d["base"], " DEFAULT " + d["default"] if d["default"] else "",
            " NOT NULL" if d["notnull"] else "", name, d["check"]))
        if d["comment"]:
            out.append("COMMENT ON DOMAIN %s.%s IS %s" % (S, name, q(d["comment"])))
    for name, attrs in sorted(s.composites.items()):
        out.append("CREATE TYPE %s.%s AS (%s)" % (S, name, ", ".join("%s %s" % a for a in attrs)))
    for name, sq in sorted(s.sequences.items()):
        out.append("CREATE SEQUENCE %s.%s INCREMENT BY %d CACHE %d %sCYCLE" % (
            S, name, sq["increment"], sq["cache"], "" if sq["cycle"] else "NO "))
    # functions that do not read tables first (trigger functions, plpgsql)
    for name, f in sorted(s.functions.items()):
        if f["kind"] == "sql_count":
            continue
        args = "x integer" if f["kind"] == "plpgsql" else ""
        out.append("CREATE FUNCTION %s.%s(%s) RETURNS %s LANGUAGE plpgsql %s AS $f$%s$f$" % (
            S, name, args, f["returns"], f["volatility"] if f["kind"] != "trigger" else "",
            sub(f["body"])))
    for name, t in sorted(s.tables.items()):
        cols = []
        for c in t["columns"]:
            d = "%s %s" % (ident(c["name"]), sub(c["type"]))
            if c["collate"]:
                d += " COLLATE " + c["collate"]
            if c["generated"]:
                d += " GENERATED ALWAYS AS (%s) STORED" % c["generated"]
            if c["default"] is not None:
                d += " DEFAULT " + sub(c["default"])
            if c["notnull"]:
                d += " NOT NULL"
            if c["identity"]:
                d += " GENERATED %s AS IDENTITY" % c["identity"]
            cols.append(d)
        if t["pk"]:
            cols.append("CONSTRAINT %s_pkey PRIMARY KEY (%s)" % (name, ", ".join(t["pk"])))
        for cn, ck in sorted(t["checks"].items()):
            if not ck["not_valid"]:
                cols.append("CONSTRAINT %s CHECK (%s)" % (cn, ck["expr"]))
        for un, u in sorted(t["uniques"].items()):
            cols.append("CONSTRAINT %s UNIQUE %s(%s)" % (
                un, "NULLS NOT DISTINCT " if u["nulls_not_distinct"] else "", ", ".join(u["cols"])))
        sql = "CREATE %sTABLE %s.%s (%s)" % ("UNLOGGED " if t["unlogged"] else "", S, name,
                                            ", ".join(cols))
        if t["partition_by"]:
            sql += " PARTITION BY " + t["partition_by"]
        if t["options"]:
            sql += " WITH (%s)" % t["options"]
        out.append(sql)
        for pn, bound in sorted(t["partitions"].items()):
            out.append("CREATE TABLE %s.%s PARTITION OF %s.%s FOR VALUES %s" % (S, pn, S, name, bound))
        for cn, ck in sorted(t["checks"].items()):
            if ck["not_valid"]:
                out.append("ALTER TABLE %s.%s ADD CONSTRAINT %s CHECK (%s) NOT VALID" % (
                    S, name, cn, ck["expr"]))
        for c in t["columns"]:
            if c["storage"]:
                out.append("ALTER TABLE %s.%s ALTER COLUMN %s SET STORAGE %s" % (S, name, c["name"], c["storage"]))
            if c["statistics"]:
                out.append("ALTER TABLE %s.%s ALTER COLUMN %s SET STATISTICS %d" % (
                    S, name, c["name"], c["statistics"]))
            if c["comment"]:
                out.append("COMMENT ON COLUMN %s.%s.%s IS %s" % (S, name, c["name"], q(c["comment"])))
        for iname, i in sorted(t["indexes"].items()):
            out.append("CREATE %sINDEX %s ON %s.%s (%s)%s" % (
                "UNIQUE " if i["unique"] else "", iname, S, name,
                ", ".join(c + (" DESC" if i["desc"] else "") for c in i["cols"]),
                " WHERE " + i["where"] if i["where"] else ""))
            if i["comment"]:
                out.append("COMMENT ON INDEX %s.%s IS %s" % (S, iname, q(i["comment"])))
        if t["comment"]:
            out.append("COMMENT ON TABLE %s.%s IS %s" % (S, name, q(t["comment"])))
        if t["rls"]:
            out.append("ALTER TABLE %s.%s ENABLE ROW LEVEL SECURITY" % (S, name))
        if t["force_rls"]:
            out.append("ALTER TABLE %s.%s FORCE ROW LEVEL SECURITY" % (S, name))
        for pn, p in sorted(t["policies"].items()):
            out.append("CREATE POLICY %s ON %s.%s AS %s FOR %s TO %s USING (%s)" % (
                pn, S, name, p["permissive"], p["cmd"], p["role"], p["using"]))
        for g in sorted(t["grants"]):
            out.append("GRANT %s ON %s.%s TO %s" % (g, S, name, ROLE))
    for name, t in sorted(s.tables.items()):
        for fn, f in sorted(t["fks"].items()):
            out.append("ALTER TABLE %s.%s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s.%s (id) "
                       "ON DELETE %s%s" % (S, name, fn, f["col"], S, f["ref"], f["on_delete"],
                                           " DEFERRABLE" if f["deferrable"] else ""))
        for tn, tr in sorted(t["triggers"].items()):
            out.append("CREATE TRIGGER %s %s ON %s.%s FOR EACH ROW EXECUTE FUNCTION %s.%s()" % (
                tn, tr["timing"], S, name, S, tr["function"]))
            if tr["enabled"]:
                out.append("ALTER TABLE %s.%s %s TRIGGER %s" % (S, name, tr["enabled"], tn))
    for name, f in sorted(s.functions.items()):
        if f["kind"] == "sql_count":
            out.append("CREATE FUNCTION %s.%s() RETURNS bigint LANGUAGE sql %s AS $f$%s$f$" % (
                S, name, f["volatility"], sub(f["body"])))
        if f["comment"]:
            out.append("COMMENT ON FUNCTION %s.%s(%s) IS %s" % (
                S, name, "x integer" if f["kind"] == "plpgsql" else "", q(f["comment"])))
    done = set()

    def view(name):
        if name in done or name not in s.views:
            return
        v = s.views[name]
        if v["table"] in s.views:
            view(v["table"])
        done.add(name)
        sql = "CREATE %sVIEW %s.%s%s AS SELECT %s FROM %s.%s%s" % (
            "MATERIALIZED " if v["materialized"] else "", S, name,
            " WITH (%s)" % v["options"] if v["options"] else "",
            ", ".join(v["cols"]), S, v["table"], " WHERE " + v["where"] if v["where"] else "")
        out.append(sql)
        if v["comment"]:
            out.append("COMMENT ON %sVIEW %s.%s IS %s" % ("MATERIALIZED " if v["materialized"] else "",
                                                          S, name, q(v["comment"])))
    for name in sorted(s.views):
        view(name)
    return out


if __name__ == "__main__":
    import sys
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    a = random_schema(rng)
    print(";\n".join(render(a, "target")) + ";")
    print("-- mutated")
    print(";\n".join(render(mutate(rng, a), "desired")) + ";")
