// Small helpers to build SVG and HTML elements without a framework.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with the given attributes and children. */
export function svg(tag, attributes = {}, children = []) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) element.append(child);
  return element;
}

/** Create an HTML element with the given attributes and children. */
export function html(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) element.append(child);
  return element;
}

/** Return the path of a circular arc around (cx, cy) from the top,
 * clockwise over the given fraction of a full turn. */
export function arcPath(cx, cy, radius, fraction) {
  const clamped = Math.max(0, Math.min(fraction, 0.9999));
  const angle = clamped * 2 * Math.PI;
  const x = cx + radius * Math.sin(angle);
  const y = cy - radius * Math.cos(angle);
  const large = clamped > 0.5 ? 1 : 0;
  return `M ${cx} ${cy - radius} A ${radius} ${radius} 0 ${large} 1 ${x} ${y}`;
}

/** Return the SVG path of a marker shape centred on (x, y). */
export function shapePath(shape, x, y, size) {
  const s = size;
  switch (shape) {
    case "square":
      return polygon(x, y, [[-s, -s], [s, -s], [s, s], [-s, s]]);
    case "triangle":
      return polygon(x, y, [[0, -1.2 * s], [1.1 * s, 0.8 * s], [-1.1 * s, 0.8 * s]]);
    case "diamond":
      return polygon(x, y, [[0, -1.3 * s], [1.3 * s, 0], [0, 1.3 * s], [-1.3 * s, 0]]);
    case "cross": {
      const down = `M ${x - s} ${y - s} L ${x + s} ${y + s}`;
      const up = `M ${x + s} ${y - s} L ${x - s} ${y + s}`;
      return `${down} ${up}`;
    }
    case "star":
      return starPath(x, y, s);
    case "burst":
      return burstPath(x, y, 0.6 * s, 1.5 * s);
    default: {
      const half = `a ${s} ${s} 0 1 0`;
      return `M ${x - s} ${y} ${half} ${2 * s} 0 ${half} ${-2 * s} 0`;
    }
  }
}

/** Return a closed path through corners given relative to (x, y). */
function polygon(x, y, corners) {
  const points = corners.map(([dx, dy]) => `${x + dx} ${y + dy}`);
  return `M ${points.join(" L ")} Z`;
}

/** Return a closed star of twelve spikes around (x, y), its corners
 * alternating between the inner and outer radius. */
export function burstPath(x, y, inner, outer) {
  const points = [];
  for (let i = 0; i < 24; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = (i * Math.PI) / 12;
    const px = (x + radius * Math.sin(angle)).toFixed(1);
    const py = (y - radius * Math.cos(angle)).toFixed(1);
    points.push(`${px} ${py}`);
  }
  return `M ${points.join(" L ")} Z`;
}

function starPath(x, y, size) {
  const points = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? size * 1.4 : size * 0.6;
    const angle = (i * Math.PI) / 5;
    points.push(`${x + radius * Math.sin(angle)} ${y - radius * Math.cos(angle)}`);
  }
  return `M ${points.join(" L ")} Z`;
}

/** Return a stable colour for a string (a value or a phase name). */
export function colourOf(text) {
  let hash = 0;
  for (const char of String(text)) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360} 60% 72%)`;
}
