import { createFrame, subscribeInto, type Panel } from '../panel';
import { label, pct, price, tone } from '../format';
import { DashBasisDocument } from '../gql/graphql';
import { statsHtml } from './stats';

/** Basis: perpetual vs spot (or index) in percent and annualised, the premium over index, and the structure (contango, backwardation). */
export function createBasisPanel(): Panel {
  const frame = createFrame('basis', 'Basis');
  return {
    frame,
    open(symbol, live) {
      frame.body.innerHTML = '';
      return subscribeInto(frame, live, DashBasisDocument, { symbol }, (data) => {
        const b = data.basisUpdated;
        frame.provenance('basis', b.meta);
        frame.body.innerHTML = statsHtml(
          { text: label(b.structure), cls: tone(b.structure), testid: 'basis-structure' },
          [
            ['basis', pct(b.basisPct, 4)],
            ['annualised', pct(b.annualizedBasisPct, 2)],
            ['premium (vs index)', pct(b.premiumPct, 4)],
            ['vs', label(b.structureReference)],
            ['mark', price(b.markPrice)],
            ['index', price(b.indexPrice)],
            ['spot', price(b.spotPrice)],
          ],
          b.warmingUp ? 'warming up' : undefined,
        );
      });
    },
  };
}
