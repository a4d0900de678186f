"""The use cases: what each card action does, apart from how it is shown.

A use case takes typed inputs (the parsed action from `cardin.actions`, the Google user's `sub`)
and the `Services` it needs, and returns domain results (dataclasses such as "token refused",
"connector saved", "duplicates found"). It builds no card and no HTTP response: the add-on layer
(`cardin.addon`) renders its results. One module per area: `lookups` (a connector's result, the
dashboard), `contacts` (adding a person), `setup` (create, edit, reauthorize, delete) with
`tokens` (checking, storing and holding a token), over `runs` (one lookup per connector under
its deadline, where every lookup starts), `budget` (a company's spent daily budget answered from
what is kept), `coalesce` (identical lookups in flight run once) and `connectors` (a user's own
connectors).
"""
