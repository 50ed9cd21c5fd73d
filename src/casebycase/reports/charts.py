"""Charts as inline SVG, rendered offline (Vega-Lite through Altair and vl-convert).

Only shown counts are drawn; a chart never hints at a hidden one.
"""

from __future__ import annotations

import altair as alt
import vl_convert as vlc

from casebycase.reports.compute import TableResult


def table_svg(table: TableResult) -> str | None:
    """A bar chart of the table's shown, non-zero cells (None when there are none)."""
    p = table.published
    data = [
        {"row": r, "column": c, "count": cell.value}
        for r, row in zip(p.rows, p.cells, strict=True)
        for c, cell in zip(p.cols, row, strict=True)
        if cell.status == "shown" and cell.value
    ]
    if not data:
        return None
    one = len(p.cols) == 1
    source = alt.Data(values=data)  # type: ignore[no-untyped-call]
    chart = (
        alt.Chart(source)
        .mark_bar()
        .encode(
            y=alt.Y("row:N", title=table.row_label, sort=list(p.rows)),
            x=alt.X(
                "sum(count):Q",
                title="count (shown cells only)",
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            color=(
                alt.value("#3b6ea5")
                if one
                else alt.Color("column:N", title=table.column_label, sort=list(p.cols))
            ),
            tooltip=["row:N", "column:N", "count:Q"],
        )
        .properties(width=380, height=max(60, 22 * len({d["row"] for d in data})))
    )
    svg: str = vlc.vegalite_to_svg(chart.to_dict())
    return svg
