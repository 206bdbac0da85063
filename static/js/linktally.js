// Tallies per directed link: the messages in flight of a run counted per
// (from, to) pair, which the ring draws in place of single messages once
// there are too many nodes for those to stay apart.
//
// linkTallies is pure: it reads a state's inFlight queues, changes nothing,
// and returns new objects sorted by (from, to), so equal states give equal
// tallies.

/** Largest ring (nodes) that draws every message rather than tallies. */
export const MESSAGES_NODES_MAX = 24;

// Multiplier of the sender id in a link's numeric key. Node ids stay far
// below it, because the dashboard caps runs at QS_N_MAX (256 by default).
const LINK_KEY_BASE = 2 ** 20;

/** Return whether a ring of n nodes draws tallies per link. */
export function drawsTallies(n) {
  return n > MESSAGES_NODES_MAX;
}

/** Return one tally per directed link with messages in flight: `from`,
 * `to`, `count`, the count per category (`categories`) and the category
 * with the highest count (`category`, ties to the first name in sort
 * order). `inFlight` is a state's queues of messages in flight. */
export function linkTallies(inFlight) {
  // Numeric keys, because a string key per message is slow when thousands
  // of messages are in flight, as at 64 nodes.
  const links = new Map();
  for (const queue of Object.values(inFlight)) {
    for (const message of queue) {
      const key = message.from * LINK_KEY_BASE + message.to;
      let tally = links.get(key);
      if (!tally) {
        tally = { from: message.from, to: message.to, count: 0, categories: {} };
        links.set(key, tally);
      }
      tally.count += 1;
      const category = message.category || "other";
      tally.categories[category] = (tally.categories[category] || 0) + 1;
    }
  }
  const tallies = [...links.values()];
  for (const tally of tallies) tally.category = dominantCategory(tally.categories);
  tallies.sort((a, b) => a.from - b.from || a.to - b.to);
  return tallies;
}

function dominantCategory(categories) {
  const names = Object.keys(categories).sort();
  let best = names[0];
  for (const name of names) if (categories[name] > categories[best]) best = name;
  return best;
}
