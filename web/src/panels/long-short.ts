import { createFrame, subscribeInto, type Panel } from '../panel';
import { fraction, label, num, tone } from '../format';
import { DashLongShortDocument } from '../gql/graphql';
import { statsHtml } from './stats';

/** Long/short: account and position ratios (all accounts, top traders), taker buy/sell, crowding signal and contrarian bias. */
export function createLongShortPanel(): Panel {
  const frame = createFrame('longshort', 'Long / short');
  return {
    frame,
    open(symbol, live) {
      frame.body.innerHTML = '';
      return subscribeInto(frame, live, DashLongShortDocument, { symbol }, (data) => {
        const l = data.longShortUpdated;
        frame.provenance('longShort', l.meta);
        const reading = (r: { ratio: number; longShare: number } | null | undefined) => (r ? `${num(r.ratio, 2)} (${fraction(r.longShare)} long)` : '–');
        frame.body.innerHTML = statsHtml(
          { text: label(l.signal), cls: tone(l.signal) },
          [
            ['all accounts', reading(l.globalAccounts)],
            ['top accounts', reading(l.topAccounts)],
            ['top positions', reading(l.topPositions)],
            ['taker buy/sell', num(l.takerBuySell?.ratio, 2)],
            ['contrarian bias', label(l.contrarianBias), tone(l.contrarianBias)],
            ['score', num(l.score, 0)],
          ],
          l.warmingUp ? 'warming up' : undefined,
        );
      });
    },
  };
}
