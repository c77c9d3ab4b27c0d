// A table that draws only the rows in view (plus a few): 150,000 pods cost ~40 DOM rows.
// Rows have a fixed height; the body scrolls (keyboard too: it takes focus). ARIA table roles
// keep it a table to screen readers, with the true row count.
import { useState } from 'preact/hooks';

const overscan = 8;

export function VirtualTable({ label, columns, rows, rowKey, rowHeight = 30, maxHeight = 420, empty }) {
  const [top, setTop] = useState(0);
  const height = Math.min(maxHeight, Math.max(rows.length, 1) * rowHeight);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((top + height) / rowHeight) + overscan);
  const template = columns.map((c) => c.width || '1fr').join(' ');
  return (
    <div class="vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
      <div class="vrow vhead" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div role="columnheader" key={c.title}>{c.title}</div>
        ))}
      </div>
      {rows.length === 0 ? (
        <div role="rowgroup"><div role="row" class="vempty"><div role="cell">{empty || 'none'}</div></div></div>
      ) : (
        <div
          class="vbody"
          role="rowgroup"
          aria-label={`${label}: scroll for more`}
          tabIndex={0}
          style={{ height: `${height}px` }}
          onScroll={(e) => setTop(e.currentTarget.scrollTop)}
        >
          <div style={{ height: `${rows.length * rowHeight}px`, position: 'relative' }}>
            {rows.slice(first, last).map((row, i) => (
              <div
                class="vrow"
                role="row"
                aria-rowindex={first + i + 2}
                key={rowKey(row)}
                style={{ gridTemplateColumns: template, top: `${(first + i) * rowHeight}px`, height: `${rowHeight}px` }}
              >
                {columns.map((c) => (
                  <div role="cell" key={c.title}>{c.render(row)}</div>
                ))}
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
