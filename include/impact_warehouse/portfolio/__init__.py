"""The funder's portfolio: organisations compared on common indicators, from their releases.

Data flow: the funder's folder (``common_indicators.csv``, ``portfolio.csv``) and each
organisation's ``portfolio/shared_indicators.csv`` (:mod:`.definitions`) → each
organisation's current published release, read only (:mod:`.sources`) → a portfolio release
with only the mapped, suppressed, aggregated figures (:mod:`.build`) → the portfolio report
(:mod:`.report`). ``impact portfolio`` (cli/portfolio.py) runs it.
"""

from impact_warehouse.portfolio.build import (
    PortfolioRelease,
    build_portfolio,
    current_portfolio,
    portfolio_releases_dir,
)
from impact_warehouse.portfolio.definitions import PortfolioError, read_portfolio

__all__ = [
    "PortfolioError",
    "PortfolioRelease",
    "build_portfolio",
    "current_portfolio",
    "portfolio_releases_dir",
    "read_portfolio",
]
