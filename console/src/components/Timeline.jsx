// The journal over time: records per interval as stacked bars, coloured by who caused them
// (users, controllers, nodes). A bar is a button: it moves the moment to that interval's end.
const classes = ['users', 'controllers', 'nodes'];

export function Timeline({ timeline, selectedSeq, onPick }) {
  const buckets = timeline?.buckets || [];
  if (!buckets.length) return <p>The journal is empty.</p>;
  const most = Math.max(1, ...buckets.map((b) => b.users + b.controllers + b.nodes));
  const width = 100 / buckets.length;
  return (
    <figure class="timeline">
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="group" aria-label="records per interval">
        {buckets.map((b, i) => {
          let y = 40;
          const selected = b.endSeq && selectedSeq >= b.startSeq && selectedSeq <= b.endSeq;
          return (
            <g key={b.startNanos} class={selected ? 'selected' : ''} onClick={() => b.endSeq && onPick(b.endSeq)}
              role={b.endSeq ? 'button' : undefined} tabIndex={b.endSeq ? 0 : undefined}
              aria-label={b.endSeq ? `${b.start}: ${b.users + b.controllers + b.nodes} records; show the cluster after record ${b.endSeq}` : undefined}
              onKeyDown={(e) => { if (b.endSeq && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); onPick(b.endSeq); } }}>
              <title>{`${b.start}: ${b.users} by users, ${b.controllers} by controllers, ${b.nodes} by nodes (records ${b.startSeq || '—'}-${b.endSeq || '—'})`}</title>
              <rect x={i * width} y="0" width={width} height="40" class="bucket" />
              {classes.map((c) => {
                const h = (b[c] / most) * 38;
                y -= h;
                return h > 0 ? <rect key={c} class={c} x={i * width + width * 0.1} y={y} width={width * 0.8} height={h} /> : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="key-users">users</span> <span class="key-controllers">controllers</span>{' '}
        <span class="key-nodes">nodes</span> — {timeline.first.time} to {timeline.last.time}
      </figcaption>
    </figure>
  );
}
