import { createFrame, subscribeInto, type Panel } from '../panel';
import { label, num, pct, tone, usd } from '../format';
import { DashOpenInterestDocument } from '../gql/graphql';
import { statsHtml } from './stats';

/** Open interest: the value, its change against price per horizon (the quadrant: new longs, short covering …) and divergences. */
export function createOpenInterestPanel(): Panel {
  const frame = createFrame('oi', 'Open interest');
  return {
    frame,
    open(symbol, live) {
      frame.body.innerHTML = '';
      return subscribeInto(frame, live, DashOpenInterestDocument, { symbol }, (data) => {
        const o = data.openInterestUpdated;
        frame.provenance('openInterest', o.meta);
        frame.body.innerHTML = statsHtml(
          { text: label(o.quadrant), cls: tone(o.quadrant) },
          [
            ['open interest', usd(o.openInterestValue)],
            ['contracts', num(o.openInterest, 0)],
            ['score', num(o.score, 0)],
            ...o.changes.map((c): [string, string, string] => [`Δ ${c.horizon.toLowerCase()}`, `OI ${pct(c.oiChangePct, 2)} · px ${pct(c.priceChangePct, 2)}`, '']),
          ],
          o.divergences.map((d) => d.note).join(' ') || (o.warmingUp ? 'warming up' : undefined),
        );
      });
    },
  };
}
