"""Survivors of `make mutate-sample` judged equivalent: the mutant behaves exactly as the original
for every input, so no test can kill it. Each entry says why. A mutant is named by its module,
cosmic-ray operator and occurrence (stable while the module's text is), with its line as a check:
after an edit of the module an entry may stop matching, and its mutant counts as a survivor again
until it is judged anew (the conservative side).
"""

from __future__ import annotations

# (module, operator, occurrence, line) -> why the mutant cannot change behaviour
EQUIVALENT: dict[tuple[str, str, int, int], str] = {
    ("emitters/_python.py", "core/NumberReplacer", 41, 227): (
        "depth = -1: the depth only tells a keyword argument (name=) from a reference to rename;"
        " renames hold only class names (models and enums colliding with helper classes) and no"
        " helper text passes a keyword argument named like a class: every built-in emitter's"
        " output of every test spec, tests/names/names.yaml included, is byte-identical"
    ),
    ("emitters/client.py", "core/NumberReplacer", 14, 197): (
        "[3] * len(into) for [2]: _array only asks whether every size is > 1 (a 'matrix' of"
        " pairs), true of 3 as of 2"
    ),
    ("emitters/mermaid.py", "core/ReplaceTrueWithFalse", 0, 45): (
        "MermaidOptions frozen=False: nothing assigns to an options object or hashes it (the"
        " CLI builds it once through make_options and the emitter only reads it); every"
        " mermaid test renders the same"
    ),
    ("emitters/sqlalchemy.py", "core/ReplaceComparisonOperator_Is_Eq", 8, 472): (
        "on_delete == OnDelete.CASCADE for is: an enum member equals only itself"
    ),
    ("emitters/ts_handlers.py", "core/ReplaceOrWithAnd", 4, 696): (
        "endpoint.response and name for or: only the name of a module-private reader function"
        " changes (readGetState for readState), made unique like any other; nothing exports"
        " or calls it by name from outside"
    ),
    ("emitters/zod.py", "core/NumberReplacer", 11, 182): (
        "bound == -1 for == 0 in decimal_bounds(): only a lower bound of 0 or -1 changes, and"
        " the decimal's pattern already spells an integer bound (-1..5 is"
        " ...|-((0)(\\.[0-9]{1,2})?|1(\\.0{1,2})?)): the refine skipped or added changes no"
        " verdict; test_zod_checks_a_decimals_bounds_on_its_text passes with it"
    ),
    ("emitters/zod.py", "core/AddNot", 3, 91): (
        "repr(value) for floats too, without .replace('e+', 'e'): a float whose repr has 'e+' is"
        " >= 1e16, so whole, and _number made it an int first. Judging it found a real bug"
        " beside it: 1e-07 (prettier prints 1e-7); the line is now ts_layout.number()"
    ),
    ("emitters/client.py", "core/NumberReplacer", 9, 175): (
        "[-1] * len(path) for [0]: _array only asks whether every size is > 1, false of -1 as"
        " of 0 (a path's strings are sized 0)"
    ),
    ("generators/config.py", "core/ReplaceComparisonOperator_GtE_NotEq", 0, 86): (
        "sys.version_info != (3, 11) for >=: a 5-tuple never equals (3, 11), so tomllib is"
        " imported, as on every Python 3.11+; only Python 3.10 (tomli) would differ, and no"
        " 3.10 runs here: unkillable on these machines rather than equivalent"
    ),
    ("generators/importer/to_spec.py", "core/NumberReplacer", 87, 682): (
        "target_columns[-1] for [0]: reference() is only given a one-column foreign key (the"
        " others go to relations: or are reported), and a foreign key names as many target"
        " columns as columns, so [-1] is [0]"
    ),
    ("generators/migrate/alter.py", "core/ReplaceComparisonOperator_Eq_Is", 3, 122): (
        "i.name is name for ==: the names asked for are the keys of table_schema().indexes,"
        " the sqlglot nodes built from these same Index.name strings (sqlglot keeps the str"
        " object), so identity and equality agree; the MariaDB migrations pass with it"
    ),
    ("generators/migrate/schema.py", "core/NumberReplacer", 0, 80): (
        "TableSchema.text() had no caller (dead code): removed after the sample, so this entry"
        " matches only the text that sample mutated"
    ),
    ("generators/build.py", "core/ReplaceComparisonOperator_Is_Eq", 20, 747): (
        "ftype == T.ENUM for is: FieldType is an Enum, whose members equal only themselves"
    ),
    ("generators/schema.py", "core/NumberReplacer", 16, 213): (
        "lru_cache(maxsize=2) for 1 on _quick_check(), which takes no argument: its cache only"
        " ever holds one entry"
    ),
    ("emitters/_python.py", "core/NumberReplacer", 55, 253): (
        "depth += 0 for += 1: as the depth = -1 entry above, the depth only tells a keyword"
        " argument (name=) from a reference to rename, and no helper text passes a keyword"
        " argument named like a renamed class: the sqlalchemy, peewee, pydantic and fastapi"
        " outputs of every test spec, names.yaml included, are byte-identical with it"
    ),
    ("generators/fastpath.py", "core/ReplaceComparisonOperator_Eq_LtE", 0, 60): (
        "kind <= 'bool' for ==: option_kind() returns bool, choice, int, list, map or str,"
        " and none but bool sorts at or before 'bool'"
    ),
    ("emitters/prisma.py", "core/ReplaceComparisonOperator_Is_Eq", 2, 307): (
        "check.kind == CheckKind.PATTERN for is: an Enum member equals only itself"
    ),
    ("generators/importer/parse_sql.py", "core/ReplaceComparisonOperator_Eq_LtE", 2, 102): (
        "depth <= 0 for == 0 at a semicolon: the depth is below 0 only after more closing than"
        " opening parentheses (strings and comments are tokens of their own), SQL no dialect"
        " parses: the import stops at that statement's stray parenthesis with the same"
        " file:line:col wherever the statement is cut"
    ),
    ("generators/importer/to_spec.py", "core/ReplaceBinaryOperator_BitOr_BitXor", 2, 122): (
        "re.I ^ re.S for re.I | re.S: two distinct one-bit flags, whose xor is their or"
    ),
    ("generators/config.py", "core/ReplaceComparisonOperator_NotEq_IsNot", 0, 235): (
        "isinstance(...) is not (expected is bool) for !=: both sides are bools, and True and"
        " False are singletons"
    ),
    ("generators/importer/parse_sql.py", "core/ReplaceComparisonOperator_Is_Eq", 0, 102): (
        "token.token_type == TokenType.SEMICOLON for is: a token's type is always a member of"
        " sqlglot's TokenType, an IntEnum of distinct values, so == holds only for the same"
        " member"
    ),
    ("generators/importer/parse_sql.py", "core/ReplaceBinaryOperator_Add_BitOr", 9, 273): (
        "j = i | 1 for i + 1: the same for an even i; for an odd one the scan starts at the"
        " DEFAULT token itself, which is no parenthesis, comma or word of _AFTER_DEFAULT, so"
        " it steps to i + 1 as before, and the text is cut from tokens[i + 1] either way"
    ),
    ("emitters/drizzle.py", "core/ReplaceBinaryOperator_BitOr_BitXor", 1, 200): (
        "the tables' and relations' variables joined with ^ for |: the sets meet only where"
        " one model's variable is another's plus 'Relations' (Foo and FooRelations), and"
        " taken is only asked about import names, enum arrays (...Values), the t/table"
        " parameter and crypto, none of which ends in 'Relations'"
    ),
    ("emitters/drizzle.py", "core/ReplaceTrueWithFalse", 0, 41): (
        "DialectProfile frozen=False: the three profiles are only read, through PROFILES; none"
        " is assigned to or hashed (its types field is a dict, so it never was hashable)"
    ),
    ("emitters/ts_handlers.py", "core/ReplaceComparisonOperator_Is_Eq", 0, 296): (
        "field.type == T.DECIMAL for is: FieldType is an Enum, whose members equal only"
        " themselves"
    ),
    ("generators/importer/merge.py", "core/ReplaceComparisonOperator_Eq_Is", 7, 228): (
        "spec.get('type') is 'datetime' for ==: the imported spec's type words are string"
        " constants of the importer's code, and CPython interns identifier-like constants, so"
        " the same word is the same object (the --into tests pass with it)"
    ),
    ("generators/naming.py", "core/ReplaceBinaryOperator_Sub_BitXor", 0, 60): (
        "limit ^ 9 for limit - 9 in shorten(): it is only ever called with its default limit,"
        " 63 (0b111111), and 63 ^ 9 == 63 - 9 == 54"
    ),
    ("generators/many_to_many.py", "core/ReplaceComparisonOperator_Eq_Is", 7, 208): (
        "source.name is target.name for ==: two refs of one join model have equal names only"
        " when they are the same field (via: [x, x]), whose name is then one str object"
    ),
    ("generators/pairing.py", "core/ReplaceComparisonOperator_Eq_Gt", 1, 45): (
        "Pairing.for_new() had no caller (dead code): removed after the sample, so this entry"
        " matches only the text that sample mutated"
    ),
    ("generators/pairing.py", "core/ReplaceAndWithOr", 1, 26): (
        "FieldPair.renamed had no caller (dead code): removed after the sample, so this entry"
        " matches only the text that sample mutated"
    ),
    ("generators/composite.py", "core/ReplaceComparisonOperator_Is_Eq", 4, 162): (
        "a relation's `index` == False for `is False`: the JSON Schema"
        " (spec/vigilo-spec.schema.json) admits only a boolean there, or nothing (True by"
        " default), and for True and False `==` and `is` agree"
    ),
    ("emitters/drizzle.py", "core/ReplaceComparisonOperator_Eq_GtE", 1, 255): (
        "builder >= 'varchar' for ==: no builder a profile names sorts after 'varchar' (its"
        " types tables hold bigint, blob, boolean, char, date, datetime, decimal, double,"
        " doublePrecision, int, integer, json, jsonb, numeric, real, text, timestamp, uuid,"
        " varchar and custom types behind a prefix), so the two agree on every builder"
    ),
    ("generators/serve.py", "core/ReplaceFalseWithTrue", 2, 234): (
        "uvicorn access_log=True: its access lines are INFO records, and serve runs uvicorn at"
        " log_level='warning', which drops them (test_serve checks the log has no request line"
        " with the mutant applied too)"
    ),
    ("generators/importer/parse_sql.py", "core/ReplaceComparisonOperator_Is_LtE", 3, 270): (
        "token_type <= R_PAREN for `is R_PAREN`: sqlglot's TokenType is an IntEnum whose first"
        " members are L_PAREN = 1 and R_PAREN = 2 (sqlglot ~= 30.30, pinned), and L_PAREN is"
        " taken by the branch before: the two tests agree on every token"
    ),
    ("emitters/_python.py", "core/ReplaceComparisonOperator_Gt_Lt", 3, 260): (
        "depth < 0 for depth > 0 (the keyword-argument test never holds): as for the depth"
        " = -1 entry above, renames hold only model and enum class names (PascalCase, the"
        " spec's rule) and every keyword argument of the helper text is lower-case: the"
        " sqlalchemy, peewee, pydantic and fastapi outputs of every test spec,"
        " tests/names/names.yaml included, are byte-identical"
    ),
    ("emitters/ts_layout.py", "core/ReplaceUnaryOperator_Delete_USub", 6, 242): (
        "arguments[:1] for arguments[:-1] in args()'s broken=: group() ORs that flag with"
        " _has_hard of its parts, and its parts hold every argument's doc, so any subset's"
        " hard line is already counted (the flag is redundant); every TypeScript output of"
        " every test spec is byte-identical. The flag was removed after the sample, so this"
        " entry matches only the text that sample mutated"
    ),
    ("generators/migrate/alter.py", "core/ReplaceComparisonOperator_Eq_GtE", 11, 305): (
        "dialect >= 'mysql' for == 'mysql' (PostgreSQL too clears a table comment with ''"
        " rather than NULL): PostgreSQL treats an empty COMMENT string as NULL, dropping the"
        " comment (its COMMENT reference page, clarified in 2026 for every supported"
        " version); alter.py serves only postgres and mysql"
    ),
    ("generators/schema.py", "core/NumberReplacer", 17, 213): (
        "lru_cache(maxsize=0) for 1 on _quick_check(): no cache, so the compiled schema check"
        " is built on each call; the same check, only slower (loading one spec calls it once)"
    ),
    ("emitters/sqlalchemy.py", "core/NumberReplacer", 7, 315): (
        "len(bounds) == 0 for == 1: a one-bound range CHECK is written and_(column >= 0)"
        " rather than column >= 0; SQLAlchemy compiles and_() of one clause to that clause,"
        " so the CREATE TABLE of every table of every test spec is identical on PostgreSQL,"
        " MySQL and SQLite"
    ),
    ("emitters/openapi.py", "core/NumberReplacer", 61, 464): (
        "9**9 for 10**9 as the length bound of a string example without maxLength: the JSON"
        " Schema caps minLength at 65,535, and every candidate example is shorter than"
        " 65,535 + 64 characters, far below either bound"
    ),
    ("emitters/ts_handlers.py", "core/NumberReplacer", 15, 284): (
        "read.through[-1] for [0]: the plan builds `through` as () or a one-step tuple"
        " (plan.py: ReadColumn and ReadObject take (step,)), and the branch runs only when it"
        " is not empty, so both index the one step"
    ),
    ("emitters/ts_layout.py", "core/ReplaceFalseWithTrue", 10, 214): (
        "an empty object `{}` made huggable as a last argument: `{}` cannot break, so the"
        " hugged state is exactly as wide as the flat one; args() takes the flat state when"
        " it fits and otherwise neither fits and the all-broken state is taken, as before"
        " (prettier does not hug `{}` either)"
    ),
    ("emitters/ts_layout.py", "core/ReplaceUnaryOperator_USub_Invert", 10, 259): (
        "doc[~1] (the next to last) for doc[-1] in _broken(): the only list documents a"
        " hugged last argument can be are arrow functions (drizzle's table config and"
        " relations, zod's z.lazy): ['(t) => ', Group] is hugged only after arguments"
        " holding hard lines (never: all_broken is taken), and ['params => ', ['(', Group,"
        " ')']] and ['() => ', text] end in text, which neither version forces; every"
        " TypeScript output of every test spec is byte-identical"
    ),
    ("emitters/mermaid.py", "core/NumberReplacer", 9, 109): (
        "parts[-0] (the first part) for parts[-1]: the last part is empty only before the"
        " first model is placed, when it is also the first; at every later check both are"
        " non-empty (each iteration ends by adding its model to the last part)"
    ),
    ("generators/evolution_commands.py", "core/ReplaceFalseWithTrue", 0, 19): (
        "add_completion=True on the `migrate` sub-typer: typer reads add_completion only from"
        " the application it runs (the top-level one, which says False); a sub-typer's is"
        " ignored, and `vigilo-gen --help` and `vigilo-gen migrate --help` are byte-identical"
    ),
    ("emitters/zod.py", "core/ReplaceComparisonOperator_Is_Eq", 0, 144): (
        "field.type == T.ENUM for is: FieldType is an Enum, whose members equal only"
        " themselves"
    ),
    # seed 27
    ("emitters/peewee.py", "core/ReplaceComparisonOperator_Is_Eq", 5, 234): (
        "field.type == T.DATETIME for is: FieldType is an Enum, whose members equal only"
        " themselves"
    ),
    ("generators/importer/parse_sql.py", "core/ReplaceComparisonOperator_Is_Eq", 6, 278): (
        "t.token_type == TokenType.R_PAREN for is: TokenType is an Enum, whose members equal"
        " only themselves"
    ),
    ("emitters/prisma.py", "core/ReplaceComparisonOperator_NotEq_Gt", 4, 489): (
        "options.enums > 'native' for !=: the option's choices are 'string' and 'native'"
        " (make_options refuses any other), and 'string' > 'native' as 'string' != 'native'"
    ),
    ("generators/importer/parse_sql.py", "core/ReplaceComparisonOperator_Gt_IsNot", 0, 287): (
        "j is not i + 1 for j > i + 1: j starts at i + 1 and only grows, so > is !=; `is not`"
        " differs from != only when j == i + 1 above 256 (ints not cached), that is a DEFAULT"
        " with no expression after it, which no engine accepts and sqlglot does not parse"
    ),
    ("generators/importer/recognise.py", "core/NumberReplacer", 4, 127): (
        "len(bounds) > 3 for > 2: a bound is a min or a max, so three bounds repeat a kind and"
        " the next test (len(set(kinds)) != len(kinds)) refuses them as the original did"
    ),
    ("generators/importer/to_spec.py", "core/ReplaceComparisonOperator_Eq_GtE", 18, 523): (
        "len(fk.columns) >= 1 for == 1: the key compared is one column, and a foreign key of"
        " several columns against one referenced column is refused by every engine"
        " (PostgreSQL: 'number of referencing and referenced columns for foreign key"
        " disagree')"
    ),
    ("generators/pairing.py", "core/ReplaceComparisonOperator_Eq_Lt", 1, 45): (
        "inside Pairing.for_old, which nothing called (removed since)"
    ),
    ("generators/plan.py", "core/ReplaceComparisonOperator_Eq_Is", 5, 103): (
        "s.to_many is to_many for ==: both are bools (Step's to_many is `not ...` or a False"
        " literal, every caller passes True or False), and True and False are singletons"
    ),
    ("emitters/_python.py", "core/ReplaceAndWithOr", 8, 241): (
        "tok.type == OP or tok.string in '([{': also counts the empty-string tokens (DEDENT,"
        " NEWLINE) as an opening bracket, which only makes the depth larger; a larger depth"
        " changes nothing unless a name to rename follows a top-level '(' or ',' and precedes"
        " '=', which no module the emitters write has: every sqlalchemy, peewee, pydantic and"
        " fastapi output of every test spec (tests/names/names.yaml included) is byte-identical"
    ),
    ("emitters/drizzle.py", "core/ReplaceComparisonOperator_Eq_GtE", 12, 580): (
        "self.n(n) >= n for ==: an import is aliased only when a table or relation variable"
        " (lowerCamel) or an enum's values const takes its name, so an aliased import starts"
        " with a lowercase letter, which sorts after its alias's '_': >= is == for every name"
    ),
    ("emitters/sql_ddl.py", "core/ReplaceComparisonOperator_Is_GtE", 8, 870): (
        "ref.on_delete >= OnDelete.SET_NULL for is: OnDelete is a str Enum, and of the actions"
        " SQL Server weakens (cascade, setNull) only setNull sorts at or after 'setNull'"
    ),
    ("emitters/sqlalchemy.py", "core/ReplaceComparisonOperator_Eq_Is", 2, 377): (
        "source.name is target.name for ==: in a self-reference source and target are one"
        " Model object (the spec's model looked up by name), so their name is one string"
    ),
    ("generators/emitter.py", "core/ReplaceTrueWithFalse", 1, 186): (
        "NoOptions frozen=False: it has no field, nothing assigns to or hashes an options"
        " object; every pydantic, markdown, dbml and mermaid output of every test spec is"
        " byte-identical and test_pydantic passes"
    ),
    ("emitters/peewee.py", "core/NumberReplacer", 3, 248): (
        "args.insert(-1, enum) for insert(0, ...): an enum field's args are [max_length=n],"
        " one item, before which both insert"
    ),
    ("generators/importer/parse_sql.py", "core/ReplaceComparisonOperator_Is_Eq", 2, 268): (
        "token.token_type == TokenType.L_PAREN for is: TokenType is an Enum, whose members"
        " equal only themselves"
    ),
    ("emitters/openapi.py", "core/ReplaceBinaryOperator_Add_Div", 11, 527): (
        "int(value) / 1 for + 1: unreachable, an int's API bounds are whole numbers"
        " (api_int_bounds ceil/floor them), so the example is never fractional (the branch is"
        " removed since)"
    ),
    # seed 28
    ("generators/yamlsource.py", "core/ReplaceBinaryOperator_Mul_Div", 2, 97): (
        "SourceMap.error(path, message, hint, /, at_key=...) for *: every caller passes path,"
        " message and hint by position and at_key by name, which both signatures take"
    ),
    ("generators/config.py", "core/ReplaceBreakWithContinue", 0, 137): (
        "continue for break at the next table header: every caller asks for the line of a key"
        " its table has (emitter, path, an option, templates of an [[output]]; spec, lint,"
        " migrations at the top), found before the next header either way"
    ),
    ("generators/emitter.py", "core/NumberReplacer", 3, 107): (
        "len(p) == 1 for == 2 in parse_option's map form: the pairs form reaches it only as a"
        " map option's default, which is empty for every emitter (all() of nothing is true"
        " either way); the command line and the config give JSON text or a table"
    ),
    ("emitters/sql_ddl.py", "core/ReplaceComparisonOperator_Eq_Is", 16, 841): (
        "parent is child for ==: in a self-reference the parent table is the model's own table"
        " string (one object); every tsql, postgres and oracle SQL of every test spec (two"
        " with a cascade from a table to itself) is byte-identical"
    ),
}
