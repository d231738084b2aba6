"""yjplan: audit Chinese emergency plans (应急预案) against YAML rule packs."""

__version__ = "0.1.0"
