"""Layout measurements taken in headless Chromium: what sticks out of the page, and which text
labels of the SVG charts overlap.

Chart text is drawn as glyph outlines (chart_kit: ``svg.fonttype = 'path'``): matplotlib
writes each text as a ``<g id="…text_N">`` group, whose box is measured with getBBox() and
mapped to the chart's coordinates with getCTM(), so a rotated or nested label is measured
where it is drawn.
"""

from __future__ import annotations

# Two labels overlap when their boxes share more than this, in both directions (SVG user
# units, points): glyph boxes that merely touch are not an overlap.
OVERLAP_TOLERANCE = 1.0

CHART_TEXT_BOXES_JS = """
() => [...document.querySelectorAll('figure.chart svg.chart-svg')].map(svg => {
  const boxes = [];
  for (const group of svg.querySelectorAll('g[id*="-text_"]')) {
    const box = group.getBBox();
    if (box.width === 0 || box.height === 0) continue;
    const matrix = group.getCTM();
    const corners = [[box.x, box.y], [box.x + box.width, box.y],
                     [box.x, box.y + box.height], [box.x + box.width, box.y + box.height]]
      .map(([x, y]) => new DOMPoint(x, y).matrixTransform(matrix));
    const xs = corners.map(p => p.x), ys = corners.map(p => p.y);
    const comment = [...group.childNodes].find(n => n.nodeType === Node.COMMENT_NODE);
    boxes.push({id: group.id, label: comment ? comment.textContent.trim() : '',
                left: Math.min(...xs), right: Math.max(...xs),
                top: Math.min(...ys), bottom: Math.max(...ys)});
  }
  return {chart: svg.closest('figure').id, boxes};
})
"""

OVERFLOW_JS = """
() => {
  const limit = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > limit + 0.5 || box.left < -0.5) {
      wide.push({tag: element.tagName, id: element.id,
                 left: box.left, right: box.right, limit});
    }
  }
  const scrolled = [...document.querySelectorAll('.table-scroll')]
    .filter(div => div.scrollWidth > div.clientWidth + 0.5)
    .map(div => ({table: div.querySelector('table').id,
                  scroll: div.scrollWidth, width: div.clientWidth}));
  return {wide, scrolled, page: document.documentElement.scrollWidth, limit};
}
"""


def overlapping_labels(charts: list[dict]) -> list[tuple[str, str, str]]:
    """(chart, label, label) for every pair of text boxes of one chart that overlap."""
    found = []
    for chart in charts:
        boxes = chart["boxes"]
        for index, first in enumerate(boxes):
            for second in boxes[index + 1 :]:
                width = min(first["right"], second["right"]) - max(first["left"], second["left"])
                height = min(first["bottom"], second["bottom"]) - max(first["top"], second["top"])
                if width > OVERLAP_TOLERANCE and height > OVERLAP_TOLERANCE:
                    found.append((chart["chart"], first["label"], second["label"]))
    return found
